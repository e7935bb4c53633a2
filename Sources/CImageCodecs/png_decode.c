#include "cimage_codecs.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const uint8_t *data;
    size_t size;
    size_t offset;
    char *error;
    size_t error_size;
} reader_state;

static void on_error(png_structp png, png_const_charp message) {
    reader_state *state = (reader_state *)png_get_error_ptr(png);
    snprintf(state->error, state->error_size, "%s", message);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp message) {
    // PIL accepts files with ancillary-chunk warnings; so do we.
    (void)png;
    (void)message;
}

static void read_bytes(png_structp png, png_bytep destination, size_t length) {
    reader_state *state = (reader_state *)png_get_io_ptr(png);
    if (state->size - state->offset < length) {
        png_error(png, "truncated PNG data");
    }
    memcpy(destination, state->data + state->offset, length);
    state->offset += length;
}

int cimage_png_decode(const uint8_t *data, size_t size, uint64_t max_pixels,
                      cimage_png *out, char *error, size_t error_size) {
    memset(out, 0, sizeof(*out));
    if (error_size > 0) error[0] = '\0';
    if (size < 8 || png_sig_cmp(data, 0, 8) != 0) {
        snprintf(error, error_size, "not a PNG file (bad signature)");
        return CIMAGE_CORRUPT;
    }
    reader_state state = {data, size, 0, error, error_size};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &state, on_error, on_warning);
    if (!png) {
        snprintf(error, error_size, "out of memory");
        return CIMAGE_CORRUPT;
    }
    // A bad CRC in any chunk is an error. libpng's default only warns about (and drops) damaged
    // ancillary chunks such as tRNS or tEXt, but PIL refuses those files, and the decode must
    // either give PIL's pixels or fail.
    png_set_crc_action(png, PNG_CRC_DEFAULT, PNG_CRC_ERROR_QUIT);
    png_infop info = png_create_info_struct(png);
    // Volatile: modified between setjmp and a possible longjmp.
    uint8_t *volatile pixels = NULL;
    png_bytep *volatile rows = NULL;
    volatile int failure = CIMAGE_CORRUPT;
    if (!info || setjmp(png_jmpbuf(png))) {
        free(pixels);
        free(rows);
        png_destroy_read_struct(&png, info ? &info : NULL, NULL);
        if (error_size > 0 && error[0] == '\0') snprintf(error, error_size, "cannot decode PNG");
        return failure;
    }
    png_set_read_fn(png, &state, read_bytes);
    png_read_info(png, info);

    png_uint_32 width = 0, height = 0;
    int bit_depth = 0, color_type = 0;
    png_get_IHDR(png, info, &width, &height, &bit_depth, &color_type, NULL, NULL, NULL);
    if ((uint64_t)width * (uint64_t)height > max_pixels) {
        snprintf(error, error_size, "too many pixels");
        out->width = width;
        out->height = height;
        failure = CIMAGE_TOO_MANY_PIXELS;
        png_longjmp(png, 1);
    }
    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);

    int channels = png_get_channels(png, info);
    int depth = png_get_bit_depth(png, info);
    size_t row_bytes = png_get_rowbytes(png, info);
    pixels = malloc(row_bytes * height);
    rows = malloc(sizeof(png_bytep) * height);
    if (!pixels || !rows) {
        snprintf(error, error_size, "out of memory for %ux%u image", (unsigned)width, (unsigned)height);
        png_longjmp(png, 1);
    }
    for (png_uint_32 y = 0; y < height; y++) rows[y] = pixels + y * row_bytes;
    png_read_image(png, rows);
    png_read_end(png, NULL);

    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    out->width = width;
    out->height = height;
    out->channels = channels;
    out->bit_depth = depth;
    out->pixels = pixels;
    return 0;
}

void cimage_png_free(cimage_png *image) {
    free(image->pixels);
    image->pixels = NULL;
}
