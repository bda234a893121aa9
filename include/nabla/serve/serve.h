// serve.h — everything of the serving layer (namespace nabla::serve): the HTTP inference server.
#pragma once

#include "nabla/serve/server.h"
