// PNG reading through libpng's full API, which reports errors by longjmp: the setjmp that
// catches them must live in C (Swift cannot call setjmp). Writing uses the simplified
// png_image API and needs no setjmp, so it stays in Swift.
#ifndef CIMAGE_CODECS_H
#define CIMAGE_CODECS_H

#include <stddef.h>
#include <stdint.h>

/// A decoded PNG before colour conversion: palette images are expanded to RGB and gray images
/// of 1, 2 or 4 bits to 8 bits (scaled, as PIL does); 16-bit samples are kept (big-endian
/// pairs), alpha is kept, no gamma or background handling is applied.
enum { CIMAGE_OK = 0, CIMAGE_CORRUPT = 1, CIMAGE_TOO_MANY_PIXELS = 2 };

typedef struct {
    uint32_t width;
    uint32_t height;
    /// 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA.
    int channels;
    /// 8 or 16.
    int bit_depth;
    /// height × width × channels × bit_depth/8 bytes, rows top to bottom; free with cimage_png_free.
    uint8_t *pixels;
} cimage_png;

/// Decodes a PNG held in memory. Returns CIMAGE_OK on success. Otherwise nothing is left to
/// free and the result is CIMAGE_TOO_MANY_PIXELS (the image has more than max_pixels pixels;
/// out->width and out->height are set, no pixel memory was allocated) or CIMAGE_CORRUPT, with
/// a NUL-terminated message of at most error_size bytes in `error`.
int cimage_png_decode(const uint8_t *data, size_t size, uint64_t max_pixels,
                      cimage_png *out, char *error, size_t error_size);

/// Frees the pixels of a successfully decoded image.
void cimage_png_free(cimage_png *image);

#endif
