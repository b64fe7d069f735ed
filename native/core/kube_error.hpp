#pragma once
// Errors from the Kubernetes API, typed from its `Status` object.
#include <optional>
#include <string>

namespace ath {

enum class KubeErrorKind {
  NotFound,
  Forbidden,
  Unauthorized,
  Conflict,       // stale resourceVersion (409, reason Conflict)
  AlreadyExists,  // create of an existing name (409, reason AlreadyExists)
  Invalid,        // 422
  BadRequest,
  MethodNotAllowed,
  Gone,  // expired continue token
  TooManyRequests,
  Unavailable,  // 503, or the cluster could not be reached at all
  Timeout,      // 504 or a server/client timeout
  Internal,     // 500
  Other,
};

struct KubeError {
  KubeErrorKind kind = KubeErrorKind::Other;
  int http_code = 0;    // 0 when no HTTP answer came back (transport failure)
  std::string reason;   // Status.reason, e.g. "NotFound"
  std::string message;  // Status.message, or the transport's error text

  // Worth retrying the same request unchanged (server busy or briefly down).
  bool transient() const;
  std::string describe() const;  // "Forbidden (403): configmaps is forbidden: ..."
};

const char* to_string(KubeErrorKind kind);

// From an HTTP answer that is not 2xx. The body is a Status object when the API server
// produced the error; anything else (a proxy's plain text) is kept as the message.
KubeError parse_kube_error(int http_code, const std::string& body);

// For requests that never got an HTTP answer.
KubeError transport_error(const std::string& what);

}  // namespace ath
