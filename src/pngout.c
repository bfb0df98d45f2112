/* pngout.c - PNG files through libpng (pngout.h).
 *
 * The PNG is encoded into memory first, so its size and CRC-32 are known
 * for the manifest without reading the file back, and then written in one
 * atomic step. */
#include "cubecast/pngout.h"

#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "cubecast/atomic_file.h"

static void sink_write(png_structp png, png_bytep bytes, png_size_t count)
{
    cc_png_buffer *sink = png_get_io_ptr(png);
    if (sink->size + count > sink->capacity) {
        size_t capacity = sink->capacity > 0 ? sink->capacity : (size_t)65536;
        while (capacity < sink->size + count)
            capacity *= 2;
        unsigned char *grown = realloc(sink->data, capacity);
        if (grown == NULL)
            png_error(png, "out of memory");
        sink->data = grown;
        sink->capacity = capacity;
    }
    memcpy(sink->data + sink->size, bytes, count);
    sink->size += count;
}

static void sink_flush(png_structp png)
{
    (void)png;
}

/* libpng reports errors by longjmp; what the jump can skip over is either
 * volatile or owned by the caller. */
static int little_endian(void)
{
    const uint16_t one = 1;
    return *(const unsigned char *)&one == 1;
}

static int encode(cc_png_buffer *sink, int width, int height, int bit_depth, int channels,
                  const void *pixels, const cc_png_text *texts, int text_count)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png != NULL ? png_create_info_struct(png) : NULL;
    png_text *volatile chunks = NULL;
    if (info == NULL || setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(chunks);
        return 0;
    }
    png_set_write_fn(png, sink, sink_write, sink_flush);
    /* Frames render in milliseconds, so encoding must be cheap: zlib level
     * 1 with the Sub filter took 2.4 ms for a 256^2 frame, against 5.2 ms
     * (level 3, adaptive filters) and 17 ms (level 6), for files 10% and
     * 23% larger (measured on the W1 sweep, docs/performance.md). */
    png_set_compression_level(png, 1);
    png_set_filter(png, 0, PNG_FILTER_SUB);
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, bit_depth,
                 channels == 4 ? PNG_COLOR_TYPE_RGB_ALPHA : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (text_count > 0) {
        chunks = calloc((size_t)text_count, sizeof *chunks);
        if (chunks == NULL)
            png_error(png, "out of memory");
        for (int t = 0; t < text_count; t++) {
            chunks[t].compression = PNG_TEXT_COMPRESSION_NONE;
            chunks[t].key = (png_charp)texts[t].key;
            chunks[t].text = (png_charp)texts[t].value;
        }
        png_set_text(png, info, chunks, text_count);
    }
    png_write_info(png, info);
    /* 16-bit samples are big-endian in the file: libpng swaps ours. */
    if (bit_depth == 16 && little_endian())
        png_set_swap(png);
    size_t row_bytes = (size_t)width * (size_t)channels * (size_t)(bit_depth / 8);
    for (int row = 0; row < height; row++)
        png_write_row(png, (png_const_bytep)pixels + (size_t)row * row_bytes);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(chunks);
    return 1;
}

cc_status cc_png_encode(int width, int height, int bit_depth, int channels, const void *pixels,
                        const cc_png_text *texts, int text_count, cc_png_buffer *out, cc_error *err)
{
    if ((bit_depth != 8 && bit_depth != 16) || (channels != 3 && channels != 4))
        return cc_fail(err, CC_ERR_INTERNAL, "cannot encode a PNG of %d channels of %d bits",
                       channels, bit_depth);
    out->size = 0;
    if (!encode(out, width, height, bit_depth, channels, pixels, texts, text_count))
        return cc_fail(err, CC_ERR_NOMEM, "cannot encode a %d x %d PNG: out of memory", width,
                       height);
    return CC_OK;
}

cc_status cc_png_encode_rgb8(int width, int height, const uint8_t *rgb, const cc_png_text *texts,
                             int text_count, cc_png_buffer *out, cc_error *err)
{
    return cc_png_encode(width, height, 8, 3, rgb, texts, text_count, out, err);
}

void cc_png_buffer_free(cc_png_buffer *buffer)
{
    free(buffer->data);
    buffer->data = NULL;
    buffer->size = buffer->capacity = 0;
}

uint32_t cc_crc32(const void *data, size_t size)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    const unsigned char *bytes = data;
    /* zlib takes uInt lengths; feed huge buffers in pieces. */
    while (size > 0) {
        uInt piece = size > (1u << 30) ? (1u << 30) : (uInt)size;
        crc = crc32(crc, bytes, piece);
        bytes += piece;
        size -= piece;
    }
    return (uint32_t)crc;
}

cc_status cc_png_write_rgb8(const char *path, int width, int height, const uint8_t *rgb,
                            const cc_png_text *texts, int text_count, cc_png_written *written,
                            cc_error *err)
{
    cc_png_buffer buffer = {NULL, 0, 0};
    cc_status status = cc_png_encode_rgb8(width, height, rgb, texts, text_count, &buffer, err);
    if (status == CC_OK)
        status = cc_atomic_write(path, buffer.data, buffer.size, err);
    if (status == CC_OK && written != NULL) {
        written->bytes = buffer.size;
        written->crc32 = cc_crc32(buffer.data, buffer.size);
    }
    cc_png_buffer_free(&buffer);
    return status;
}

int cc_file_checksum(const char *path, cc_png_written *out)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return 0;
    unsigned char block[65536];
    uLong crc = crc32(0L, Z_NULL, 0);
    unsigned long long bytes = 0;
    size_t got;
    while ((got = fread(block, 1, sizeof block, file)) > 0) {
        crc = crc32(crc, block, (uInt)got);
        bytes += got;
    }
    int ok = !ferror(file);
    fclose(file);
    out->bytes = bytes;
    out->crc32 = (uint32_t)crc;
    return ok;
}
