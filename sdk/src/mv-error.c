#include <medverse/mv-error.h>

/* the quark's name is these tokens verbatim, not a subtraction */
/* clang-format off */
G_DEFINE_QUARK (mv-error-quark, mv_error)
/* clang-format on */

static const gchar *const error_names[MV_ERROR_LAST] = {
	[MV_ERROR_FAILED] = "failed",
	[MV_ERROR_MALFORMED] = "malformed",
	[MV_ERROR_INVALID_INPUT] = "invalid-input",
	[MV_ERROR_NOT_FOUND] = "not-found",
	[MV_ERROR_NOT_ALLOWED] = "not-allowed",
	[MV_ERROR_TOO_LARGE] = "too-large",
	[MV_ERROR_UNSUPPORTED_MEDIA] = "unsupported-media-type",
	[MV_ERROR_TIMED_OUT] = "timed-out",
	[MV_ERROR_UNAVAILABLE] = "unavailable",
	[MV_ERROR_UNAUTHORIZED] = "unauthorized",
	[MV_ERROR_FORBIDDEN] = "forbidden",
	[MV_ERROR_CONFLICT] = "conflict",
	[MV_ERROR_RATE_LIMITED] = "rate-limited",
	[MV_ERROR_INTEGRITY] = "integrity",
	[MV_ERROR_PRECONDITION_FAILED] = "precondition-failed",
	[MV_ERROR_PRECONDITION_REQUIRED] = "precondition-required",
	[MV_ERROR_LENGTH_REQUIRED] = "length-required",
	[MV_ERROR_RESPONSE_TOO_LARGE] = "response-too-large",
	[MV_ERROR_REQUEST_TIMEOUT] = "request-timeout",
	[MV_ERROR_HEADERS_TOO_LARGE] = "headers-too-large",
	[MV_ERROR_INSUFFICIENT_RESOURCES] = "insufficient-resources",
};

const gchar *
mv_error_to_string (MvError code)
{
	if ((guint)code >= MV_ERROR_LAST)
		return "failed";
	return error_names[code];
}
