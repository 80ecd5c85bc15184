/*
 * Medverse plugin SDK — the one header a plugin includes.
 *
 *   #include <medverse/medverse-plugin.h>
 *
 * Build with `pkg-config --cflags --libs medverse-plugin`.  See the SDK's README for a walk-through
 * and sdk/examples/bmi for a complete plugin with its unit test.
 */
#pragma once

#define __MEDVERSE_PLUGIN_H_INSIDE__

#include <gmodule.h>

#include "mv-error.h"
#include "mv-host.h"
#include "mv-plugin.h"
#include "mv-value.h"
#include "mv-test-host.h"

#undef __MEDVERSE_PLUGIN_H_INSIDE__
