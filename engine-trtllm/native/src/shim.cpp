// kefu_trtllm.h over TensorRT-LLM's C++ executor (tensorrt_llm::executor::Executor).
//
// Built only where TensorRT-LLM is installed (see native/README.md); the Java tests run against
// test-double/kefu_trtllm_double.c, which implements the same header without a GPU.
//
// Bookkeeping the executor does not do for us, and why:
//  - in-flight ids: kefu_trtllm_shutdown drains by waiting until every request's final response has
//    gone out through kefu_trtllm_await; Executor::shutdown is only called from destroy, so nothing
//    depends on how awaitResponses behaves after it;
//  - the queue bound: QUEUE_FULL is reported before enqueueRequest, the same way the double does;
//  - end ids per request: the first is the executor's end id, the others become one-token stop
//    words, and a trailing end id is removed from the output, as the header promises.
#include "kefu_trtllm.h"

#include <tensorrt_llm/executor/executor.h>
#include <tensorrt_llm/plugins/api/tllmPlugin.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <deque>
#include <exception>
#include <fstream>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace tle = tensorrt_llm::executor;

namespace {

thread_local std::string lastError;

kefu_trtllm_status fail(kefu_trtllm_status status, char const* format, ...) {
    char buffer[1024];
    va_list args;
    va_start(args, format);
    std::vsnprintf(buffer, sizeof buffer, format, args);
    va_end(args);
    lastError = buffer;
    return status;
}

kefu_trtllm_status ok() {
    lastError.clear();
    return KEFU_TRTLLM_OK;
}

// What one thread got from its last await / stats call; owned by the executor.
struct ThreadSlot {
    std::vector<kefu_trtllm_response> array;
    std::vector<std::vector<int32_t>> tokens;
    std::vector<std::vector<float>> logProbs;
    std::vector<std::string> messages;
    std::string stats;
};

// The few values of trtllm-build's config.json the shim needs, found by key. The file is written by
// trtllm-build with unique key names for these, so a full JSON parser is not needed.
std::optional<std::string> jsonValue(std::string const& json, std::string const& key) {
    auto at = json.find("\"" + key + "\"");
    if (at == std::string::npos) {
        return std::nullopt;
    }
    at = json.find(':', at);
    if (at == std::string::npos) {
        return std::nullopt;
    }
    at = json.find_first_not_of(" \t\r\n", at + 1);
    if (at == std::string::npos) {
        return std::nullopt;
    }
    if (json[at] == '"') {
        auto end = json.find('"', at + 1);
        return end == std::string::npos ? std::nullopt : std::optional<std::string>(json.substr(at + 1, end - at - 1));
    }
    auto end = json.find_first_of(",}] \t\r\n", at);
    return json.substr(at, end - at);
}

int jsonInt(std::string const& json, std::string const& key, int fallback) {
    auto v = jsonValue(json, key);
    if (!v) {
        return fallback;
    }
    try {
        return std::stoi(*v);
    } catch (std::exception const&) {
        return fallback;
    }
}

uint16_t toHalf(float f) {
    uint32_t x;
    std::memcpy(&x, &f, sizeof x);
    uint32_t sign = (x >> 16) & 0x8000u;
    int32_t exponent = static_cast<int32_t>((x >> 23) & 0xFFu) - 127 + 15;
    uint32_t mantissa = x & 0x7FFFFFu;
    if (((x >> 23) & 0xFFu) == 0xFFu) {
        return static_cast<uint16_t>(sign | 0x7C00u | (mantissa ? 0x200u : 0u));
    }
    if (exponent >= 31) {
        return static_cast<uint16_t>(sign | 0x7C00u);
    }
    if (exponent <= 0) {
        if (exponent < -10) {
            return static_cast<uint16_t>(sign);
        }
        mantissa |= 0x800000u;
        uint32_t shift = static_cast<uint32_t>(14 - exponent);
        uint32_t half = mantissa >> shift;
        uint32_t rest = mantissa & ((1u << shift) - 1);
        uint32_t midpoint = 1u << (shift - 1);
        if (rest > midpoint || (rest == midpoint && (half & 1u))) {
            half++;
        }
        return static_cast<uint16_t>(sign | half);
    }
    uint32_t half = sign | (static_cast<uint32_t>(exponent) << 10) | (mantissa >> 13);
    uint32_t rest = mantissa & 0x1FFFu;
    if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) {
        half++;
    }
    return static_cast<uint16_t>(half);
}

uint16_t toBfloat16(float f) {
    uint32_t x;
    std::memcpy(&x, &f, sizeof x);
    if ((x & 0x7F800000u) == 0x7F800000u && (x & 0x7FFFFFu)) {
        return static_cast<uint16_t>((x >> 16) | 0x40u);
    }
    x += 0x7FFFu + ((x >> 16) & 1u);
    return static_cast<uint16_t>(x >> 16);
}

int32_t finishReason(tle::FinishReason reason) {
    switch (reason) {
        case tle::FinishReason::kNOT_FINISHED: return KEFU_TRTLLM_NOT_FINISHED;
        case tle::FinishReason::kEND_ID: return KEFU_TRTLLM_FINISH_END_ID;
        case tle::FinishReason::kSTOP_WORDS: return KEFU_TRTLLM_FINISH_STOP_WORDS;
        case tle::FinishReason::kLENGTH: return KEFU_TRTLLM_FINISH_LENGTH;
        case tle::FinishReason::kCANCELLED: return KEFU_TRTLLM_FINISH_CANCELLED;
        default: return KEFU_TRTLLM_FINISH_CANCELLED; // kTIMED_OUT in newer releases
    }
}

// The executor's PeftTaskNotCachedException: "LoRA task <id> not found in cache. Please send LoRA weights with request"
bool isLoraNotCached(std::string const& message) {
    return message.find("PeftTaskNotCachedException") != std::string::npos
        || (message.find("LoRA task") != std::string::npos && message.find("not found") != std::string::npos);
}

} // namespace

struct kefu_trtllm_executor {
    std::unique_ptr<tle::Executor> executor;
    std::mutex lock;
    std::condition_variable drained;
    bool accepting = true;
    int32_t capacity = 0; // max_batch_size + max_queue_size, or 0 for unbounded
    tle::DataType loraType = tle::DataType::kFP16;
    std::unordered_map<tle::IdType, std::vector<int32_t>> inFlight; // request id -> its end ids
    std::unordered_map<std::thread::id, ThreadSlot> slots;
};

extern "C" {

uint32_t kefu_trtllm_abi_version(void) {
    return KEFU_TRTLLM_ABI_VERSION;
}

char const* kefu_trtllm_backend(void) {
    // version() comes from the loaded library; version.h is generated by TensorRT-LLM's build and is missing
    // from a plain source checkout
    static std::string const backend = std::string("TensorRT-LLM ") + tle::version();
    return backend.c_str();
}

char const* kefu_trtllm_last_error(void) {
    return lastError.c_str();
}

kefu_trtllm_status kefu_trtllm_executor_create(char const* engineDir, kefu_trtllm_executor_config const* config,
                                               kefu_trtllm_executor** out) {
    if (engineDir == nullptr || config == nullptr || out == nullptr) {
        return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "executor_create: engine_dir, config and out must not be null");
    }
    *out = nullptr;
    if (config->struct_size < sizeof(kefu_trtllm_executor_config)) {
        return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "executor_create: config.struct_size %u is smaller than version 1 (%zu)",
                    config->struct_size, sizeof(kefu_trtllm_executor_config));
    }
    if (config->max_batch_size < 0 || config->max_queue_size < 0 || config->max_num_tokens < 0
        || config->kv_cache_max_tokens < 0 || config->lora_cache_max_adapters < 0
        || config->kv_cache_free_gpu_memory_fraction < 0 || config->kv_cache_free_gpu_memory_fraction > 1) {
        return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "executor_create: config values out of range (max_batch_size=%d, "
                    "max_queue_size=%d, kv_cache_free_gpu_memory_fraction=%g)", config->max_batch_size,
                    config->max_queue_size, static_cast<double>(config->kv_cache_free_gpu_memory_fraction));
    }
    std::string configPath = std::string(engineDir) + "/config.json";
    std::ifstream in(configPath);
    if (!in) {
        return fail(KEFU_TRTLLM_NOT_FOUND, "engine directory '%s' has no readable config.json", engineDir);
    }
    std::stringstream text;
    text << in.rdbuf();
    std::string json = text.str();
    try {
        initTrtLlmPlugins();
        auto handle = std::make_unique<kefu_trtllm_executor>();

        tle::KvCacheConfig kvCache;
        kvCache.setEnableBlockReuse(config->kv_cache_enable_block_reuse != 0);
        kvCache.setFreeGpuMemoryFraction(config->kv_cache_free_gpu_memory_fraction > 0
                ? config->kv_cache_free_gpu_memory_fraction : 0.9f);
        if (config->kv_cache_max_tokens > 0) {
            kvCache.setMaxTokens(config->kv_cache_max_tokens);
        }
        tle::ExecutorConfig executorConfig;
        executorConfig.setKvCacheConfig(kvCache);
        int32_t maxBatch = config->max_batch_size > 0 ? config->max_batch_size : jsonInt(json, "max_batch_size", 0);
        if (config->max_batch_size > 0) {
            executorConfig.setMaxBatchSize(config->max_batch_size);
        }
        if (config->max_num_tokens > 0) {
            executorConfig.setMaxNumTokens(config->max_num_tokens);
        }
        int maxLoraRank = jsonInt(json, "max_lora_rank", 0);
        if (config->lora_cache_max_adapters > 0 && maxLoraRank > 0) {
            // the LoRA cache is sized in (module, layer) rows; assume every layer adapts up to 7 modules
            int layers = jsonInt(json, "num_hidden_layers", 1);
            int rows = config->lora_cache_max_adapters * layers * 7;
            executorConfig.setPeftCacheConfig(tle::PeftCacheConfig(rows, rows, 8, maxLoraRank));
        }
        auto loraPlugin = jsonValue(json, "lora_plugin");
        if (loraPlugin && *loraPlugin == "bfloat16") {
            handle->loraType = tle::DataType::kBF16;
        } else if (loraPlugin && *loraPlugin == "float32") {
            handle->loraType = tle::DataType::kFP32;
        }
        handle->capacity = config->max_queue_size > 0 ? maxBatch + config->max_queue_size : 0;
        handle->executor = std::make_unique<tle::Executor>(engineDir, tle::ModelType::kDECODER_ONLY, executorConfig);
        *out = handle.release();
        return ok();
    } catch (std::exception const& e) {
        return fail(KEFU_TRTLLM_INVALID_ENGINE, "engine directory '%s' cannot be loaded: %s", engineDir, e.what());
    }
}

static kefu_trtllm_status checkRequest(kefu_trtllm_request const* q) {
    if (q->struct_size < sizeof(kefu_trtllm_request)) {
        return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "enqueue: request.struct_size %u is smaller than version 1 (%zu)",
                    q->struct_size, sizeof(kefu_trtllm_request));
    }
    if (q->prompt_length <= 0 || q->prompt_tokens == nullptr) {
        return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "enqueue: request.prompt_length=%d: the prompt must not be empty",
                    q->prompt_length);
    }
    for (int32_t i = 0; i < q->prompt_length; i++) {
        if (q->prompt_tokens[i] < 0) {
            return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "enqueue: request.prompt_tokens[%d]=%d is negative", i,
                        q->prompt_tokens[i]);
        }
    }
    if (q->max_new_tokens < 1) {
        return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "enqueue: request.max_new_tokens=%d must be at least 1", q->max_new_tokens);
    }
    if (!(q->temperature >= 0) || q->top_k < 0 || !(q->top_p >= 0 && q->top_p <= 1) || !(q->repetition_penalty >= 0)) {
        return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "enqueue: sampling parameters out of range (temperature=%g, top_k=%d, "
                    "top_p=%g, repetition_penalty=%g)", static_cast<double>(q->temperature), q->top_k,
                    static_cast<double>(q->top_p), static_cast<double>(q->repetition_penalty));
    }
    if (q->num_end_ids < 0 || (q->num_end_ids > 0 && q->end_ids == nullptr) || q->num_stop_sequences < 0
        || (q->num_stop_sequences > 0 && (q->stop_tokens == nullptr || q->stop_lengths == nullptr))) {
        return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "enqueue: end_ids/stop sequences: counts must match the pointers");
    }
    for (int32_t s = 0; s < q->num_stop_sequences; s++) {
        if (q->stop_lengths[s] <= 0) {
            return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "enqueue: request.stop_lengths[%d]=%d must be positive", s,
                        q->stop_lengths[s]);
        }
    }
    bool anyLora = q->lora_weights != nullptr || q->lora_config != nullptr || q->lora_rows != 0;
    if (anyLora && (q->lora_task_id < 0 || q->lora_weights == nullptr || q->lora_config == nullptr || q->lora_rows <= 0
                    || q->lora_row_width <= 0)) {
        return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "enqueue: LoRA task %lld needs lora_weights, lora_config, lora_rows > 0 "
                    "and lora_row_width > 0 together", static_cast<long long>(q->lora_task_id));
    }
    return KEFU_TRTLLM_OK;
}

static tle::Request buildRequest(kefu_trtllm_executor* e, kefu_trtllm_request const* q) {
    tle::VecTokens prompt(q->prompt_tokens, q->prompt_tokens + q->prompt_length);
    tle::SamplingConfig sampling;
    if (q->temperature > 0) {
        sampling.setTemperature(q->temperature);
        if (q->top_k > 0) {
            sampling.setTopK(q->top_k);
        }
        if (q->top_p > 0 && q->top_p < 1) {
            sampling.setTopP(q->top_p);
        }
    } else {
        sampling.setTopK(1);
    }
    if (q->repetition_penalty > 0 && q->repetition_penalty != 1) {
        sampling.setRepetitionPenalty(q->repetition_penalty);
    }
    sampling.setSeed(q->seed);
    tle::OutputConfig output;
    output.returnLogProbs = q->return_log_probs != 0;
    output.excludeInputFromOutput = true;
    tle::Request request(std::move(prompt), q->max_new_tokens, q->streaming != 0, sampling, output);
    std::list<tle::VecTokens> stopWords;
    if (q->num_end_ids > 0) {
        request.setEndId(q->end_ids[0]);
        for (int32_t i = 1; i < q->num_end_ids; i++) {
            stopWords.push_back(tle::VecTokens{q->end_ids[i]});
        }
    }
    int32_t const* stop = q->stop_tokens;
    for (int32_t s = 0; s < q->num_stop_sequences; s++) {
        stopWords.emplace_back(stop, stop + q->stop_lengths[s]);
        stop += q->stop_lengths[s];
    }
    if (!stopWords.empty()) {
        request.setStopWords(stopWords);
    }
    if (q->lora_task_id >= 0) {
        auto taskId = static_cast<tle::IdType>(q->lora_task_id);
        if (q->lora_weights == nullptr) {
            request.setLoraConfig(tle::LoraConfig(taskId));
        } else {
            auto rows = static_cast<tle::SizeType32>(q->lora_rows);
            auto width = static_cast<tle::SizeType32>(q->lora_row_width);
            size_t count = static_cast<size_t>(q->lora_rows) * static_cast<size_t>(q->lora_row_width);
            tle::Tensor weights = tle::Tensor::cpu(e->loraType, tle::Shape{rows, width});
            if (e->loraType == tle::DataType::kFP32) {
                std::memcpy(weights.getData(), q->lora_weights, count * sizeof(float));
            } else {
                auto* dst = static_cast<uint16_t*>(weights.getData());
                bool bf16 = e->loraType == tle::DataType::kBF16;
                for (size_t i = 0; i < count; i++) {
                    dst[i] = bf16 ? toBfloat16(q->lora_weights[i]) : toHalf(q->lora_weights[i]);
                }
            }
            tle::Tensor config = tle::Tensor::cpu(tle::DataType::kINT32, tle::Shape{rows, 3});
            std::memcpy(config.getData(), q->lora_config, static_cast<size_t>(rows) * 3 * sizeof(int32_t));
            request.setLoraConfig(tle::LoraConfig(taskId, weights, config));
        }
    }
    return request;
}

kefu_trtllm_status kefu_trtllm_enqueue(kefu_trtllm_executor* e, kefu_trtllm_request const* q, uint64_t* outId) {
    if (e == nullptr || q == nullptr || outId == nullptr) {
        return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "enqueue: executor, request and out_request_id must not be null");
    }
    kefu_trtllm_status status = checkRequest(q);
    if (status != KEFU_TRTLLM_OK) {
        return status;
    }
    try {
        tle::Request request = buildRequest(e, q);
        std::lock_guard<std::mutex> guard(e->lock);
        if (!e->accepting || !e->executor->canEnqueueRequests()) {
            return fail(KEFU_TRTLLM_SHUT_DOWN, "enqueue: the executor is shutting down and takes no new requests");
        }
        if (e->capacity > 0 && static_cast<int32_t>(e->inFlight.size()) >= e->capacity) {
            return fail(KEFU_TRTLLM_QUEUE_FULL, "enqueue: %zu requests are running or waiting (capacity %d = max_batch_size "
                        "+ max_queue_size); retry later", e->inFlight.size(), e->capacity);
        }
        tle::IdType id = e->executor->enqueueRequest(request);
        e->inFlight[id] = std::vector<int32_t>(q->end_ids, q->end_ids + std::max(q->num_end_ids, 0));
        *outId = id;
        return ok();
    } catch (std::exception const& ex) {
        if (isLoraNotCached(ex.what())) {
            return fail(KEFU_TRTLLM_NOT_FOUND, "enqueue: %s", ex.what());
        }
        return fail(KEFU_TRTLLM_ENGINE_FAILURE, "enqueue: %s", ex.what());
    }
}

kefu_trtllm_status kefu_trtllm_await(kefu_trtllm_executor* e, int32_t timeoutMs, kefu_trtllm_response const** outResponses,
                                     int32_t* outCount) {
    if (e == nullptr || outResponses == nullptr || outCount == nullptr) {
        return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "await: executor, out_responses and out_count must not be null");
    }
    if (timeoutMs < 0) {
        return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "await: timeout_ms=%d must not be negative", timeoutMs);
    }
    try {
        std::vector<tle::Response> responses = e->executor->awaitResponses(std::chrono::milliseconds(timeoutMs));
        std::lock_guard<std::mutex> guard(e->lock);
        ThreadSlot& slot = e->slots[std::this_thread::get_id()];
        slot.array.clear();
        slot.tokens.assign(responses.size(), {});
        slot.logProbs.assign(responses.size(), {});
        slot.messages.assign(responses.size(), {});
        slot.array.resize(responses.size());
        for (size_t i = 0; i < responses.size(); i++) {
            tle::Response const& response = responses[i];
            kefu_trtllm_response& r = slot.array[i];
            std::memset(&r, 0, sizeof r);
            r.struct_size = sizeof r;
            r.request_id = response.getRequestId();
            auto found = e->inFlight.find(response.getRequestId());
            if (response.hasError()) {
                slot.messages[i] = response.getErrorMsg();
                r.is_final = 1;
                r.finish_reason = KEFU_TRTLLM_FINISH_ERROR;
                // the executor reports a LoRA task evicted from its cache here, not at enqueue
                r.error_status = isLoraNotCached(slot.messages[i]) ? KEFU_TRTLLM_NOT_FOUND : KEFU_TRTLLM_ENGINE_FAILURE;
                r.error_message = slot.messages[i].c_str();
            } else {
                tle::Result const& result = response.getResult();
                if (!result.outputTokenIds.empty()) {
                    slot.tokens[i] = result.outputTokenIds.front();
                }
                if (result.logProbs && !result.logProbs->empty()) {
                    slot.logProbs[i] = result.logProbs->front();
                }
                r.is_final = result.isFinal ? 1 : 0;
                r.finish_reason = !result.isFinal ? KEFU_TRTLLM_NOT_FINISHED
                        : result.finishReasons.empty() ? KEFU_TRTLLM_FINISH_LENGTH
                        : finishReason(result.finishReasons.front());
                // an end id, or a one-token stop standing in for one, is not part of the answer
                if (found != e->inFlight.end() && !slot.tokens[i].empty()
                    && std::find(found->second.begin(), found->second.end(), slot.tokens[i].back()) != found->second.end()) {
                    slot.tokens[i].pop_back();
                    if (r.is_final) {
                        r.finish_reason = KEFU_TRTLLM_FINISH_END_ID;
                    }
                }
                if (slot.logProbs[i].size() > slot.tokens[i].size()) {
                    slot.logProbs[i].resize(slot.tokens[i].size());
                }
                r.tokens = slot.tokens[i].data();
                r.num_tokens = static_cast<int32_t>(slot.tokens[i].size());
                r.log_probs = slot.logProbs[i].size() == slot.tokens[i].size() && !slot.logProbs[i].empty()
                        ? slot.logProbs[i].data() : nullptr;
                r.error_status = KEFU_TRTLLM_OK;
            }
            if (r.is_final && found != e->inFlight.end()) {
                e->inFlight.erase(found);
            }
        }
        if (e->inFlight.empty()) {
            e->drained.notify_all();
        }
        *outResponses = slot.array.data();
        *outCount = static_cast<int32_t>(slot.array.size());
        return ok();
    } catch (std::exception const& ex) {
        return fail(KEFU_TRTLLM_ENGINE_FAILURE, "await: %s", ex.what());
    }
}

kefu_trtllm_status kefu_trtllm_cancel(kefu_trtllm_executor* e, uint64_t requestId) {
    if (e == nullptr) {
        return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "cancel: executor must not be null");
    }
    try {
        {
            std::lock_guard<std::mutex> guard(e->lock);
            if (e->inFlight.find(requestId) == e->inFlight.end()) {
                return ok();
            }
        }
        e->executor->cancelRequest(requestId);
        return ok();
    } catch (std::exception const& ex) {
        return fail(KEFU_TRTLLM_ENGINE_FAILURE, "cancel(%llu): %s", static_cast<unsigned long long>(requestId), ex.what());
    }
}

kefu_trtllm_status kefu_trtllm_shutdown(kefu_trtllm_executor* e, int32_t timeoutMs) {
    if (e == nullptr) {
        return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "shutdown: executor must not be null");
    }
    if (timeoutMs < 0) {
        return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "shutdown: timeout_ms=%d must not be negative", timeoutMs);
    }
    std::unique_lock<std::mutex> guard(e->lock);
    e->accepting = false;
    bool drained = e->drained.wait_for(guard, std::chrono::milliseconds(timeoutMs), [e] { return e->inFlight.empty(); });
    if (!drained) {
        return fail(KEFU_TRTLLM_TIMEOUT, "shutdown: %zu requests still in flight after %d ms", e->inFlight.size(), timeoutMs);
    }
    return ok();
}

kefu_trtllm_status kefu_trtllm_stats_json(kefu_trtllm_executor* e, char const** outJson) {
    if (e == nullptr || outJson == nullptr) {
        return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "stats_json: executor and out_json must not be null");
    }
    try {
        std::deque<tle::IterationStats> stats = e->executor->getLatestIterationStats();
        std::lock_guard<std::mutex> guard(e->lock);
        ThreadSlot& slot = e->slots[std::this_thread::get_id()];
        slot.stats = stats.empty() ? std::string("{}") : tle::JsonSerialization::toJsonStr(stats.back());
        *outJson = slot.stats.c_str();
        return ok();
    } catch (std::exception const& ex) {
        return fail(KEFU_TRTLLM_ENGINE_FAILURE, "stats_json: %s", ex.what());
    }
}

void kefu_trtllm_executor_destroy(kefu_trtllm_executor* e) {
    if (e == nullptr) {
        return;
    }
    try {
        std::vector<tle::IdType> left;
        {
            std::lock_guard<std::mutex> guard(e->lock);
            e->accepting = false;
            for (auto const& entry : e->inFlight) {
                left.push_back(entry.first);
            }
        }
        for (tle::IdType id : left) {
            e->executor->cancelRequest(id);
        }
        e->executor->shutdown();
    } catch (std::exception const& ex) {
        std::fprintf(stderr, "kefu_trtllm_executor_destroy: %s\n", ex.what());
    }
    delete e;
}

} // extern "C"
