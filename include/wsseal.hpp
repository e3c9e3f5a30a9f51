// wsseal.hpp: a header-only C++17 wrapper of libwsseal (wsseal.h).
//
// RAII handles (move-only), std::string_view in, std::string / std::vector out, and failures as
// wsseal::Error exceptions carrying the result code and the message. Thread-safety is the C
// API's: an Engine, a Pool, an Exchange and an Outcome may be read by many threads at once.
#ifndef WSSEAL_HPP
#define WSSEAL_HPP

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "wsseal.h"

namespace wsseal {

/// A refused input or a failed call: the stable result code and the library's message.
class Error : public std::runtime_error {
public:
    Error(wsseal_result code, const std::string &message)
        : std::runtime_error(std::string(wsseal_result_name(code)) + ": " + message), code_(code) {}

    /// The result code (a value of enum wsseal_code).
    wsseal_result code() const noexcept { return code_; }

    /// The code's symbolic name, such as "DECRYPTION_FAILED".
    const char *name() const noexcept { return wsseal_result_name(code_); }

private:
    wsseal_result code_;
};

namespace detail {

/// Throws the thread's last error when `code` is not WSSEAL_OK.
inline void check(wsseal_result code) {
    if (code != WSSEAL_OK) {
        throw Error(code, wsseal_last_error_message());
    }
}

template <typename T, void (*Free)(T *)> struct Deleter {
    void operator()(T *handle) const noexcept { Free(handle); }
};

template <typename T, void (*Free)(T *)> using Handle = std::unique_ptr<T, Deleter<T, Free>>;

inline std::string text(wsseal_str s) { return s.data != nullptr ? std::string(s.data, s.len) : std::string(); }

inline std::optional<std::string> optional_text(wsseal_str s) {
    return s.data != nullptr ? std::optional<std::string>(std::string(s.data, s.len)) : std::nullopt;
}

inline const uint8_t *bytes(std::string_view view) { return reinterpret_cast<const uint8_t *>(view.data()); }

}  // namespace detail

/// The library version, "MAJOR.MINOR.PATCH".
inline std::string version() { return wsseal_version(); }

/// Checks a certificate (DER or PEM) against an expected service identity given as WCF
/// `<identity>` XML or one of its children (`<dns value="contoso.com"/>`); throws Error
/// (IDENTITY_MISMATCH, IDENTITY_UNSATISFIABLE, IDENTITY_INVALID, CREDENTIAL_INVALID...) otherwise.
inline void check_identity(std::string_view certificate, std::string_view identity_xml) {
    detail::check(wsseal_identity_check(detail::bytes(certificate), certificate.size(), detail::bytes(identity_xml),
                                        identity_xml.size()));
}

/// The state between a request and its response.
class Exchange {
public:
    /// Decodes what to_bytes() wrote; throws Error (EXCHANGE_INVALID) for anything else.
    static Exchange from_bytes(std::string_view bytes) {
        wsseal_exchange *raw = nullptr;
        detail::check(wsseal_exchange_from_bytes(detail::bytes(bytes), bytes.size(), &raw));
        return Exchange(raw);
    }

    /// The opaque, versioned encoding, for a host that keeps the state outside the process.
    std::vector<uint8_t> to_bytes() const {
        wsseal_buffer *raw = nullptr;
        detail::check(wsseal_exchange_to_bytes(handle_.get(), &raw));
        detail::Handle<wsseal_buffer, wsseal_buffer_free> buffer(raw);
        wsseal_bytes view = wsseal_buffer_bytes(buffer.get());
        return std::vector<uint8_t>(view.data, view.data + view.len);
    }

    /// The C handle, borrowed.
    const wsseal_exchange *get() const noexcept { return handle_.get(); }

    explicit Exchange(wsseal_exchange *raw) noexcept : handle_(raw) {}

private:
    detail::Handle<wsseal_exchange, wsseal_exchange_free> handle_;
};

/// The certificate that signed a message.
struct Signer {
    std::string subject;          ///< RFC 4514
    std::string issuer;           ///< RFC 4514
    std::string serial;           ///< decimal
    std::string thumbprint_sha1;  ///< upper-case hex
};

/// What opening a message proved. A view into its Outcome: use it while the Outcome lives.
class Report {
public:
    explicit Report(const wsseal_report *raw) noexcept : report_(raw) {}

    /// The signer, when the report names one.
    std::optional<Signer> signer() const {
        wsseal_signer s;
        if (!wsseal_report_signer(report_, &s)) {
            return std::nullopt;
        }
        return Signer{detail::text(s.subject), detail::text(s.issuer), detail::text(s.serial),
                      detail::text(s.thumbprint_sha1)};
    }

    /// The parts covered by a verified signature: "Body", "Timestamp", "{namespace}local"...
    std::vector<std::string> signed_parts() const {
        std::vector<std::string> parts;
        for (size_t i = 0, n = wsseal_report_signed_count(report_); i < n; ++i) {
            parts.push_back(detail::text(wsseal_report_signed_part(report_, i)));
        }
        return parts;
    }

    /// The parts that arrived encrypted.
    std::vector<std::string> encrypted_parts() const {
        std::vector<std::string> parts;
        for (size_t i = 0, n = wsseal_report_encrypted_count(report_); i < n; ++i) {
            parts.push_back(detail::text(wsseal_report_encrypted_part(report_, i)));
        }
        return parts;
    }

    /// The verified Timestamp's Created.
    std::optional<std::string> timestamp_created() const {
        return detail::optional_text(wsseal_report_timestamp_created(report_));
    }

    /// The verified Timestamp's Expires.
    std::optional<std::string> timestamp_expires() const {
        return detail::optional_text(wsseal_report_timestamp_expires(report_));
    }

    /// The signed WS-Addressing MessageID.
    std::optional<std::string> message_id() const { return detail::optional_text(wsseal_report_message_id(report_)); }

    /// The whole report as one line of JSON.
    std::string json() const {
        wsseal_buffer *raw = nullptr;
        detail::check(wsseal_report_to_json(report_, &raw));
        detail::Handle<wsseal_buffer, wsseal_buffer_free> buffer(raw);
        wsseal_bytes view = wsseal_buffer_bytes(buffer.get());
        return std::string(reinterpret_cast<const char *>(view.data), view.len);
    }

private:
    const wsseal_report *report_;
};

/// What an operation produced (or, in a batch, why its item failed).
class Outcome {
public:
    explicit Outcome(wsseal_outcome *raw) noexcept : handle_(raw) {}

    /// WSSEAL_OK, or the item's result code.
    wsseal_result code() const noexcept { return wsseal_outcome_code(handle_.get()); }

    /// Whether the operation succeeded.
    bool ok() const noexcept { return code() == WSSEAL_OK; }

    /// Throws the item's Error when it failed.
    const Outcome &check() const {
        if (!ok()) {
            throw Error(code(), wsseal_outcome_message(handle_.get()));
        }
        return *this;
    }

    /// The output envelope, copied.
    std::string envelope() const { return std::string(envelope_view()); }

    /// The output envelope, borrowed from the outcome.
    std::string_view envelope_view() const noexcept {
        wsseal_bytes view = wsseal_outcome_envelope(handle_.get());
        return view.data != nullptr ? std::string_view(reinterpret_cast<const char *>(view.data), view.len)
                                    : std::string_view();
    }

    /// The report of an opened envelope (none after securing).
    std::optional<Report> report() const {
        const wsseal_report *raw = wsseal_outcome_report(handle_.get());
        return raw != nullptr ? std::optional<Report>(Report(raw)) : std::nullopt;
    }

    /// Moves the exchange out, for the other message of the exchange.
    Exchange take_exchange() {
        wsseal_exchange *raw = nullptr;
        detail::check(wsseal_outcome_take_exchange(handle_.get(), &raw));
        return Exchange(raw);
    }

private:
    detail::Handle<wsseal_outcome, wsseal_outcome_free> handle_;
};

/// Worker threads for batches.
class Pool {
public:
    /// A pool of `threads` threads (0: one per CPU).
    explicit Pool(size_t threads = 0) {
        wsseal_pool *raw = nullptr;
        detail::check(wsseal_pool_new(threads, &raw));
        handle_.reset(raw);
    }

    /// The C handle, borrowed.
    const wsseal_pool *get() const noexcept { return handle_.get(); }

private:
    detail::Handle<wsseal_pool, wsseal_pool_free> handle_;
};

/// Secures and opens envelopes for one endpoint; immutable and shareable across threads.
class Engine {
public:
    /// Builds the engine of a TOML configuration file; `validator` (optional) decides trust.
    static Engine from_file(const std::string &path, const wsseal_certificate_validator *validator = nullptr) {
        wsseal_engine *raw = nullptr;
        detail::check(wsseal_engine_from_file(path.c_str(), validator, &raw));
        return Engine(raw);
    }

    /// Builds the engine of TOML text whose relative paths start at `base_dir`.
    static Engine from_toml(std::string_view toml, const std::string &base_dir = ".",
                            const wsseal_certificate_validator *validator = nullptr) {
        wsseal_engine *raw = nullptr;
        detail::check(wsseal_engine_from_toml(detail::bytes(toml), toml.size(), base_dir.c_str(), validator, &raw));
        return Engine(raw);
    }

    /// Runs `operation` (WSSEAL_SECURE_REQUEST...); throws Error when the input is refused.
    Outcome process(wsseal_operation operation, std::string_view envelope, const Exchange *exchange = nullptr) const {
        wsseal_outcome *raw = nullptr;
        detail::check(wsseal_engine_process(handle_.get(), operation, detail::bytes(envelope), envelope.size(),
                                            exchange != nullptr ? exchange->get() : nullptr, &raw));
        return Outcome(raw);
    }

    /// A client secures a request.
    Outcome secure_request(std::string_view envelope) const { return process(WSSEAL_SECURE_REQUEST, envelope); }

    /// A client opens the response to its request.
    Outcome open_response(std::string_view envelope, const Exchange &exchange) const {
        return process(WSSEAL_OPEN_RESPONSE, envelope, &exchange);
    }

    /// A service opens a request.
    Outcome open_request(std::string_view envelope) const { return process(WSSEAL_OPEN_REQUEST, envelope); }

    /// A service secures the response to a request.
    Outcome secure_response(std::string_view envelope, const Exchange &exchange) const {
        return process(WSSEAL_SECURE_RESPONSE, envelope, &exchange);
    }

    /// Runs `operation` on every envelope in parallel (on `pool`, or the library's pool) and
    /// returns one Outcome per envelope, in order; each succeeds or fails on its own.
    /// `exchanges`, when not empty, has one entry per envelope.
    std::vector<Outcome> process_batch(wsseal_operation operation, const std::vector<std::string_view> &envelopes,
                                       const std::vector<const Exchange *> &exchanges = {},
                                       const Pool *pool = nullptr) const {
        if (!exchanges.empty() && exchanges.size() != envelopes.size()) {
            throw Error(WSSEAL_INVALID_ARGUMENT, "one exchange per envelope");
        }
        std::vector<wsseal_batch_item> items(envelopes.size());
        for (size_t i = 0; i < envelopes.size(); ++i) {
            const Exchange *exchange = exchanges.empty() ? nullptr : exchanges[i];
            items[i] = wsseal_batch_item{detail::bytes(envelopes[i]), envelopes[i].size(),
                                         exchange != nullptr ? exchange->get() : nullptr};
        }
        std::vector<wsseal_outcome *> raw(items.size(), nullptr);
        detail::check(wsseal_engine_process_batch(handle_.get(), pool != nullptr ? pool->get() : nullptr, operation,
                                                  items.data(), items.size(), raw.data()));
        std::vector<Outcome> outcomes;
        outcomes.reserve(raw.size());
        for (wsseal_outcome *outcome : raw) {
            outcomes.emplace_back(outcome);
        }
        return outcomes;
    }

    /// The C handle, borrowed.
    const wsseal_engine *get() const noexcept { return handle_.get(); }

private:
    explicit Engine(wsseal_engine *raw) noexcept : handle_(raw) {}

    detail::Handle<wsseal_engine, wsseal_engine_free> handle_;
};

/// A log handler: the level (WSSEAL_LOG_ERROR...) and the message.
using LogHandler = std::function<void(wsseal_log_level, std::string_view)>;

/// Sends the library's log events up to `max_level` to `handler` (process-wide; an empty
/// handler turns logging off). The handler runs on the library's threads, possibly several at
/// once; exceptions it throws are dropped.
inline void set_log_handler(LogHandler handler, wsseal_log_level max_level = WSSEAL_LOG_INFO) {
    static std::mutex lock;
    static std::unique_ptr<LogHandler> current;
    std::lock_guard<std::mutex> guard(lock);
    std::unique_ptr<LogHandler> next = handler ? std::make_unique<LogHandler>(std::move(handler)) : nullptr;
    auto forward = [](void *userdata, wsseal_log_level level, wsseal_str message) {
        try {
            (*static_cast<LogHandler *>(userdata))(level, std::string_view(message.data, message.len));
        } catch (...) {
        }
    };
    detail::check(next ? wsseal_set_log_callback(forward, next.get(), max_level)
                       : wsseal_set_log_callback(nullptr, nullptr, WSSEAL_LOG_OFF));
    current = std::move(next);  // the previous handler is no longer called: free it
}

}  // namespace wsseal

#endif  // WSSEAL_HPP
