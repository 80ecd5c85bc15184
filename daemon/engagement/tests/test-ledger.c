#include "engagement-test.h"
