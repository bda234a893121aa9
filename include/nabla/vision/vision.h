// vision.h — everything of the vision layer (namespace nabla::vision): torchvision's models.
#pragma once

#include "nabla/vision/models.h"
