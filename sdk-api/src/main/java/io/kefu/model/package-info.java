/**
 * Engines and the models they load: {@link io.kefu.model.Engines} finds an
 * {@link io.kefu.model.Engine} by name (or says why it cannot), and an engine loads a
 * {@link io.kefu.model.BaseModel} from a {@link io.kefu.model.ModelRef}, makes trainers and chat
 * models from it, and merges adapters into base checkpoints.
 */
package io.kefu.model;
