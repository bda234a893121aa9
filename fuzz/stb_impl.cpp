// stb_impl.cpp — stb_image / stb_image_write implementations for the fuzz build (instrumented).
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image.h>
#include <stb/stb_image_write.h>
