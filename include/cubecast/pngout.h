/* pngout.h - 8- and 16-bit RGB and RGBA PNG files through libpng, written
 * atomically.
 *
 * The file is written under a temporary name in the same folder and renamed
 * when complete, so a killed job never leaves a half-written frame.  Text
 * chunks carry what a frame is (frame, angle, input, dataset, version). */
#ifndef CUBECAST_PNGOUT_H
#define CUBECAST_PNGOUT_H

#include <stddef.h>
#include <stdint.h>

#include "cubecast/error.h"

typedef struct cc_png_text {
    const char *key;
    const char *value;
} cc_png_text;

/* What was written: the manifest records it so --resume can check a file. */
typedef struct cc_png_written {
    unsigned long long bytes;
    uint32_t crc32; /* zlib's CRC-32 of the whole file */
} cc_png_written;

/* An encoded PNG in memory. */
typedef struct cc_png_buffer {
    unsigned char *data;
    size_t size, capacity;
} cc_png_buffer;

/* Encodes width x height RGB pixels (row-major, 3 bytes each) into *out
 * (which must start zeroed; free with cc_png_buffer_free). */
cc_status cc_png_encode_rgb8(int width, int height, const uint8_t *rgb, const cc_png_text *texts,
                             int text_count, cc_png_buffer *out, cc_error *err);

/* The same for channels 3 (RGB) or 4 (RGBA, straight alpha) samples per
 * pixel of bit_depth 8 (uint8_t) or 16 (uint16_t in the machine's byte
 * order; the file holds them big-endian, as PNG wants).  With 8 and 3 the
 * bytes are exactly cc_png_encode_rgb8's. */
cc_status cc_png_encode(int width, int height, int bit_depth, int channels, const void *pixels,
                        const cc_png_text *texts, int text_count, cc_png_buffer *out,
                        cc_error *err);
void cc_png_buffer_free(cc_png_buffer *buffer);

/* zlib's CRC-32 of a buffer. */
uint32_t cc_crc32(const void *data, size_t size);

/* Encodes and writes width x height RGB pixels (row-major, 3 bytes each) to path;
 * written may be NULL. */
cc_status cc_png_write_rgb8(const char *path, int width, int height, const uint8_t *rgb,
                            const cc_png_text *texts, int text_count, cc_png_written *written,
                            cc_error *err);

/* CRC-32 and size of an existing file; returns 0 if it cannot be read. */
int cc_file_checksum(const char *path, cc_png_written *out);

#endif
