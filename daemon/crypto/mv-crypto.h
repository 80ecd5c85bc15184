/*
 * Medverse crypto core — umbrella header: the vault (key hierarchy, sealed records, blind
 * index) and the audit tree (RFC 6962 Merkle tree, signed tree heads).  No transport, no
 * database: see docs/security.md for how the daemon stores what these functions return.
 */
#pragma once

#include "mv-audit.h"
#include "mv-keyfile.h"
#include "mv-merkle.h"
#include "mv-secret.h"
#include "mv-vault.h"
