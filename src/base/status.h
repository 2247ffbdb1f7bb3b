// Status and StatusOr: failed-with-reason results for code that must not throw
// across collector boundaries (see STYLE.md, convention 5).
#ifndef NODEX_BASE_STATUS_H_
#define NODEX_BASE_STATUS_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace nodex {

// kNoData mirrors node_exporter's ErrNoData: the source does not exist on this
// machine. It still marks the collector unsuccessful, but is only logged at
// debug level.
enum class StatusCode { kOk, kError, kNoData };

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Error(std::string message) { return Status(StatusCode::kError, std::move(message)); }
  static Status NoData(std::string message) { return Status(StatusCode::kNoData, std::move(message)); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  StatusOr(Status status) : status_(std::move(status)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() { return *value_; }
  const T& value() const { return *value_; }
  T& operator*() { return *value_; }
  T* operator->() { return &*value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace nodex

#endif  // NODEX_BASE_STATUS_H_
