// Compiled once to produce the shared torch precompiled header.
#include "engine/torch.h"
