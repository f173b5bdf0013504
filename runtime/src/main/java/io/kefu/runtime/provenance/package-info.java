/**
 * Where a trained adapter came from: {@link io.kefu.runtime.provenance.AdapterProvenance} records the
 * base model, the adapter a run started from, the data files and the training settings in the
 * adapter's folder; {@link io.kefu.runtime.provenance.Sha256} gives the content hashes it names.
 */
package io.kefu.runtime.provenance;
