#include "core/kube_error.hpp"

#include <nlohmann/json.hpp>

namespace ath {

const char* to_string(KubeErrorKind kind) {
  switch (kind) {
    case KubeErrorKind::NotFound: return "NotFound";
    case KubeErrorKind::Forbidden: return "Forbidden";
    case KubeErrorKind::Unauthorized: return "Unauthorized";
    case KubeErrorKind::Conflict: return "Conflict";
    case KubeErrorKind::AlreadyExists: return "AlreadyExists";
    case KubeErrorKind::Invalid: return "Invalid";
    case KubeErrorKind::BadRequest: return "BadRequest";
    case KubeErrorKind::MethodNotAllowed: return "MethodNotAllowed";
    case KubeErrorKind::Gone: return "Gone";
    case KubeErrorKind::TooManyRequests: return "TooManyRequests";
    case KubeErrorKind::Unavailable: return "Unavailable";
    case KubeErrorKind::Timeout: return "Timeout";
    case KubeErrorKind::Internal: return "Internal";
    case KubeErrorKind::Other: return "Other";
  }
  return "Other";
}

bool KubeError::transient() const {
  return kind == KubeErrorKind::Unavailable || kind == KubeErrorKind::Timeout ||
         kind == KubeErrorKind::TooManyRequests || kind == KubeErrorKind::Internal;
}

std::string KubeError::describe() const {
  std::string s = reason.empty() ? to_string(kind) : reason;
  if (http_code) s += " (" + std::to_string(http_code) + ")";
  if (!message.empty()) s += ": " + message;
  return s;
}

namespace {

KubeErrorKind kind_from_reason(const std::string& reason) {
  static const std::pair<const char*, KubeErrorKind> table[] = {
      {"NotFound", KubeErrorKind::NotFound},
      {"Forbidden", KubeErrorKind::Forbidden},
      {"Unauthorized", KubeErrorKind::Unauthorized},
      {"Conflict", KubeErrorKind::Conflict},
      {"AlreadyExists", KubeErrorKind::AlreadyExists},
      {"Invalid", KubeErrorKind::Invalid},
      {"BadRequest", KubeErrorKind::BadRequest},
      {"MethodNotAllowed", KubeErrorKind::MethodNotAllowed},
      {"Expired", KubeErrorKind::Gone},
      {"Gone", KubeErrorKind::Gone},
      {"TooManyRequests", KubeErrorKind::TooManyRequests},
      {"ServiceUnavailable", KubeErrorKind::Unavailable},
      {"Timeout", KubeErrorKind::Timeout},
      {"ServerTimeout", KubeErrorKind::Timeout},
      {"InternalError", KubeErrorKind::Internal},
  };
  for (const auto& [name, kind] : table)
    if (reason == name) return kind;
  return KubeErrorKind::Other;
}

KubeErrorKind kind_from_code(int code) {
  switch (code) {
    case 400: return KubeErrorKind::BadRequest;
    case 401: return KubeErrorKind::Unauthorized;
    case 403: return KubeErrorKind::Forbidden;
    case 404: return KubeErrorKind::NotFound;
    case 405: return KubeErrorKind::MethodNotAllowed;
    case 409: return KubeErrorKind::Conflict;
    case 410: return KubeErrorKind::Gone;
    case 422: return KubeErrorKind::Invalid;
    case 429: return KubeErrorKind::TooManyRequests;
    case 500: return KubeErrorKind::Internal;
    case 502:
    case 503: return KubeErrorKind::Unavailable;
    case 504: return KubeErrorKind::Timeout;
    default: return KubeErrorKind::Other;
  }
}

}  // namespace

KubeError parse_kube_error(int http_code, const std::string& body) {
  KubeError err;
  err.http_code = http_code;
  auto status = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (status.is_object() && status.value("kind", "") == "Status") {
    err.reason = status.value("reason", "");
    err.message = status.value("message", "");
    if (status.contains("code") && status["code"].is_number_integer()) err.http_code = status["code"].get<int>();
  } else {
    err.message = body.substr(0, 512);
    while (!err.message.empty() && (err.message.back() == '\n' || err.message.back() == ' ')) err.message.pop_back();
  }
  err.kind = kind_from_reason(err.reason);
  if (err.kind == KubeErrorKind::Other) err.kind = kind_from_code(err.http_code);
  return err;
}

KubeError transport_error(const std::string& what) {
  KubeError err;
  err.kind = KubeErrorKind::Unavailable;
  err.message = what;
  return err;
}

}  // namespace ath
