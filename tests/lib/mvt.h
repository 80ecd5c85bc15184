/*
 * tests/lib: the one test library of the integration suites (meson: mvt_dep).
 *
 *   mvt-harness.h   a private D-Bus bus and the real medversed in a temp dir; D-Bus client
 *   mvt-http.h      the HTTP client (operator key by default, or a given token, or none)
 *   mvt-load.h      a background load (bmi and /healthz) that must see no failure
 *   mvt-raw.h       a raw HTTP/1.1 client: exact bytes out, responses counted on the way back
 *   mvt-token.h     token and key files
 *   mvt-clinic.h    clinics and keys through the admin API
 *   mvt-notify.h    a notify socket (NOTIFY_SOCKET) and the daemon's sd_notify datagrams
 *   mvt-sql.h       SQL on the daemon's embedded cluster
 *   mvt-report.h    skipped tests reported as skipped (linked into every Criterion binary)
 */
#pragma once

#include "mvt-clinic.h"
#include "mvt-harness.h"
#include "mvt-http.h"
#include "mvt-load.h"
#include "mvt-raw.h"
#include "mvt-notify.h"
#include "mvt-report.h"
#include "mvt-sql.h"
#include "mvt-token.h"
