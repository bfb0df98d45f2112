/* filters.c - decoding the HDF5 filters of compressed datasets (filters.h).
 *
 * Each decoder follows its filter's registered on-disk format (the HDF
 * Group's list of registered filters and the writers' own descriptions),
 * takes HDF5's buffer of one stored chunk and replaces it with the decoded
 * bytes.  Buffers are HDF5's (H5allocate_memory / H5free_memory), since
 * HDF5 frees what a filter returns.  A decoder returns 0, which HDF5
 * reports as a failed read, for data that do not follow the format, and
 * for any request to encode. */
#include "cubecast/filters.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifdef CC_HAVE_LZF
#include <lzf.h>
#endif
#ifdef CC_HAVE_LZ4
#include <lz4.h>
#endif
#ifdef CC_HAVE_BZIP2
#include <bzlib.h>
#endif
#ifdef CC_HAVE_BLOSC
#include <blosc.h>
#endif

/* HDF5 1.10 keeps a chunk below 4 GiB; a header claiming more is corrupt. */
#define CC_MAX_CHUNK_BYTES ((uint64_t)0xffffffffu)

enum {
    CC_FILTER_BZIP2 = 307,
    CC_FILTER_LZF = 32000,
    CC_FILTER_BLOSC = 32001,
    CC_FILTER_LZ4 = 32004
};

typedef struct known_filter {
    H5Z_filter_t id;
    const char *name;
    /* The Debian package cubecast is built with to decode it; NULL where
     * HDF5 decodes it or only a plugin does. */
    const char *package;
} known_filter;

/* The filters users meet, by their registered ids, so a message can name
 * one a file's writer left unnamed. */
static const known_filter known_filters[] = {
    {H5Z_FILTER_DEFLATE, "deflate", NULL},
    {H5Z_FILTER_SHUFFLE, "shuffle", NULL},
    {H5Z_FILTER_FLETCHER32, "Fletcher32", NULL},
    {H5Z_FILTER_SZIP, "SZIP", NULL},
    {H5Z_FILTER_NBIT, "N-bit", NULL},
    {H5Z_FILTER_SCALEOFFSET, "scale-offset", NULL},
    {CC_FILTER_BZIP2, "BZip2", "libbz2-dev"},
    {CC_FILTER_LZF, "LZF", "liblzf-dev"},
    {CC_FILTER_BLOSC, "Blosc", "libblosc-dev"},
    {CC_FILTER_LZ4, "LZ4", "liblz4-dev"},
    {32008, "Bitshuffle", NULL},
    {32013, "ZFP", NULL},
    {32015, "Zstandard", NULL},
    {32017, "SZ", NULL},
    {32026, "Blosc2", NULL},
};

static const known_filter *find_known(H5Z_filter_t id)
{
    for (size_t k = 0; k < sizeof known_filters / sizeof *known_filters; k++)
        if (known_filters[k].id == id)
            return &known_filters[k];
    return NULL;
}

#if defined(CC_HAVE_LZF) || defined(CC_HAVE_LZ4) || defined(CC_HAVE_BZIP2) || defined(CC_HAVE_BLOSC)
/* Hands HDF5 the decoded chunk in place of the stored one. */
static size_t replace_buffer(void *decoded, size_t decoded_bytes, size_t capacity, size_t *buf_size,
                             void **buf)
{
    H5free_memory(*buf);
    *buf = decoded;
    *buf_size = capacity;
    return decoded_bytes;
}
#endif

#ifdef CC_HAVE_LZF
/* LZF (32000, h5py): the chunk is one raw LZF stream.  h5py records the
 * chunk's size in cd_values[2], which the stream must decode to exactly
 * (HDF5 would read a shorter chunk past its end);
 * without it, a buffer too small (E2BIG) is doubled and the stream decoded
 * again. */
static size_t decode_lzf(unsigned flags, size_t cd_nelmts, const unsigned cd_values[],
                         size_t nbytes, size_t *buf_size, void **buf)
{
    if (!(flags & H5Z_FLAG_REVERSE) || nbytes > UINT32_MAX)
        return 0;
    size_t expected = cd_nelmts >= 3 ? cd_values[2] : 0;
    size_t capacity = expected > 0 ? expected : 4 * nbytes + 4096;
    while (capacity <= CC_MAX_CHUNK_BYTES) {
        void *out = H5allocate_memory(capacity, 0);
        if (out == NULL)
            return 0;
        errno = 0;
        unsigned decoded = lzf_decompress(*buf, (unsigned)nbytes, out, (unsigned)capacity);
        if (decoded > 0 && (expected == 0 || decoded == expected))
            return replace_buffer(out, decoded, capacity, buf_size, buf);
        H5free_memory(out);
        if (decoded > 0 || errno != E2BIG || expected > 0)
            return 0;
        capacity *= 2;
    }
    return 0;
}
#endif

#ifdef CC_HAVE_LZ4
static uint64_t big_endian(const unsigned char *bytes, int count)
{
    uint64_t value = 0;
    for (int b = 0; b < count; b++)
        value = value << 8 | bytes[b];
    return value;
}

/* LZ4 (32004): an 8-byte big-endian size of the decoded chunk, a 4-byte
 * big-endian block size, then per block a 4-byte big-endian stored size
 * and the block: LZ4-compressed, or as it was when the stored size equals
 * the block's (the last block may be shorter than the others).  Nothing
 * records the chunk's size to check the first against (unlike LZF and
 * Blosc); HDF5 1.10 does not check it either. */
static size_t decode_lz4(unsigned flags, size_t cd_nelmts, const unsigned cd_values[],
                         size_t nbytes, size_t *buf_size, void **buf)
{
    (void)cd_nelmts;
    (void)cd_values;
    const unsigned char *in = *buf;
    if (!(flags & H5Z_FLAG_REVERSE) || nbytes < 12)
        return 0;
    uint64_t total = big_endian(in, 8), block = big_endian(in + 8, 4);
    if (total == 0 || total > CC_MAX_CHUNK_BYTES || block == 0)
        return 0;
    block = block < total ? block : total;
    unsigned char *out = H5allocate_memory((size_t)total, 0);
    if (out == NULL)
        return 0;
    size_t at = 12, done = 0;
    while (done < total) {
        size_t want = (size_t)(total - done < block ? total - done : block);
        if (nbytes - at < 4) /* at <= nbytes throughout */
            break;
        size_t stored = (size_t)big_endian(in + at, 4);
        at += 4;
        if (stored > nbytes - at || want > INT32_MAX)
            break;
        if (stored == want)
            memcpy(out + done, in + at, want);
        else if (LZ4_decompress_safe((const char *)in + at, (char *)out + done, (int)stored,
                                     (int)want) != (int)want)
            break;
        at += stored;
        done += want;
    }
    if (done < total) {
        H5free_memory(out);
        return 0;
    }
    return replace_buffer(out, (size_t)total, (size_t)total, buf_size, buf);
}
#endif

#ifdef CC_HAVE_BZIP2
/* BZip2 (307, PyTables and hdf5plugin): the chunk is one bzip2 stream,
 * which does not record its decoded size: the buffer doubles until the
 * stream ends.  Nor does anything record the chunk's size (see LZ4). */
static size_t decode_bzip2(unsigned flags, size_t cd_nelmts, const unsigned cd_values[],
                           size_t nbytes, size_t *buf_size, void **buf)
{
    (void)cd_nelmts;
    (void)cd_values;
    if (!(flags & H5Z_FLAG_REVERSE) || nbytes > UINT32_MAX)
        return 0;
    size_t capacity = 4 * nbytes + 4096;
    char *out = H5allocate_memory(capacity, 0);
    bz_stream stream;
    memset(&stream, 0, sizeof stream);
    if (out == NULL || BZ2_bzDecompressInit(&stream, 0, 0) != BZ_OK) {
        H5free_memory(out);
        return 0;
    }
    stream.next_in = *buf;
    stream.avail_in = (unsigned)nbytes;
    int result = BZ_OK;
    size_t decoded = 0;
    while (result == BZ_OK) {
        if (decoded == capacity) {
            char *bigger =
                capacity * 2 <= CC_MAX_CHUNK_BYTES ? H5resize_memory(out, capacity * 2) : NULL;
            if (bigger == NULL)
                break;
            out = bigger;
            capacity *= 2;
        }
        stream.next_out = out + decoded;
        stream.avail_out = (unsigned)(capacity - decoded);
        result = BZ2_bzDecompress(&stream);
        decoded = capacity - stream.avail_out;
        if (result == BZ_OK && stream.avail_in == 0 && decoded < capacity)
            result = BZ_DATA_ERROR; /* the stream stopped short of its end */
    }
    BZ2_bzDecompressEnd(&stream);
    if (result != BZ_STREAM_END || decoded == 0) {
        H5free_memory(out);
        return 0;
    }
    return replace_buffer(out, decoded, capacity, buf_size, buf);
}
#endif

#ifdef CC_HAVE_BLOSC
/* Blosc (32001, PyTables and hdf5plugin): the chunk is one Blosc buffer,
 * whose header holds its decoded size, the inner compressor (BloscLZ, LZ4,
 * LZ4HC, Snappy, Zlib, Zstd) and the shuffle.  cd_values repeat them, and
 * cd_values[3] is the chunk's size, which the buffer must decode to (HDF5
 * would read a shorter chunk past its end).  The context call needs no
 * blosc_init and no global state. */
static size_t decode_blosc(unsigned flags, size_t cd_nelmts, const unsigned cd_values[],
                           size_t nbytes, size_t *buf_size, void **buf)
{
    size_t expected = cd_nelmts >= 4 ? cd_values[3] : 0;
    size_t total = 0;
    if (!(flags & H5Z_FLAG_REVERSE) || blosc_cbuffer_validate(*buf, nbytes, &total) != 0 ||
        total == 0 || (expected > 0 && total != expected))
        return 0;
    void *out = H5allocate_memory(total, 0);
    if (out == NULL)
        return 0;
    if (blosc_decompress_ctx(*buf, out, total, 1) != (int)total) {
        H5free_memory(out);
        return 0;
    }
    return replace_buffer(out, total, total, buf_size, buf);
}
#endif

/* The decoders, as HDF5 filter classes.  encoder_present 0: HDF5 refuses
 * to create a dataset with one of them rather than call it to encode. */
#define CC_DECODER(filter_id, filter_name, function)                                               \
    {                                                                                              \
        H5Z_CLASS_T_VERS, (H5Z_filter_t)(filter_id), 0, 1, filter_name, NULL, NULL, function       \
    }

static const H5Z_class2_t decoders[] = {
#ifdef CC_HAVE_LZF
    CC_DECODER(CC_FILTER_LZF, "lzf (cubecast decoder)", decode_lzf),
#endif
#ifdef CC_HAVE_LZ4
    CC_DECODER(CC_FILTER_LZ4, "lz4 (cubecast decoder)", decode_lz4),
#endif
#ifdef CC_HAVE_BZIP2
    CC_DECODER(CC_FILTER_BZIP2, "bzip2 (cubecast decoder)", decode_bzip2),
#endif
#ifdef CC_HAVE_BLOSC
    CC_DECODER(CC_FILTER_BLOSC, "blosc (cubecast decoder)", decode_blosc),
#endif
    {H5Z_CLASS_T_VERS, H5Z_FILTER_NONE, 0, 0, NULL, NULL, NULL, NULL}};

/* HDF5 searches HDF5_PLUGIN_PATH instead of its own plugin folder when the
 * variable is set; the folder is added after the user's, so a user's plugin
 * comes first. */
static void add_plugin_folder(void)
{
#ifdef CC_HDF5_PLUGIN_DIR
    unsigned count = 0;
    if (H5PLsize(&count) < 0)
        return;
    for (unsigned i = 0; i < count; i++) {
        char folder[4096];
        ssize_t length = H5PLget(i, folder, sizeof folder);
        if (length > 0 && (size_t)length < sizeof folder && strcmp(folder, CC_HDF5_PLUGIN_DIR) == 0)
            return;
    }
    H5PLappend(CC_HDF5_PLUGIN_DIR);
#endif
}

void cc_filters_register(void)
{
    for (size_t d = 0; decoders[d].id != H5Z_FILTER_NONE; d++)
        H5Zregister(&decoders[d]);
    add_plugin_folder();
}

static int can_decode(H5Z_filter_t id)
{
    unsigned config = 0;
    return H5Zfilter_avail(id) > 0 && H5Zget_filter_info(id, &config) >= 0 &&
           (config & H5Z_FILTER_CONFIG_DECODE_ENABLED);
}

typedef struct filter_entry {
    H5Z_filter_t id;
    unsigned values[8];
    size_t value_count;
    char name[80]; /* as the file names it */
} filter_entry;

static int read_filter(hid_t dcpl, int index, filter_entry *entry)
{
    unsigned flags;
    entry->value_count = sizeof entry->values / sizeof *entry->values;
    entry->name[0] = '\0';
    entry->id = H5Pget_filter2(dcpl, (unsigned)index, &flags, &entry->value_count, entry->values,
                               sizeof entry->name, entry->name, NULL);
    return entry->id >= 0;
}

/* "LZ4", or the file's own name for an id cubecast does not know. */
static void filter_name(const filter_entry *entry, char *out, size_t out_size)
{
    const known_filter *known = find_known(entry->id);
    if (known != NULL)
        snprintf(out, out_size, "%s", known->name);
    else if (entry->name[0] != '\0')
        snprintf(out, out_size, "filter '%s'", entry->name);
    else
        snprintf(out, out_size, "an unnamed filter");
}

cc_status cc_filters_check(hid_t dcpl, const char *what, cc_error *err)
{
    int count = H5Pget_nfilters(dcpl);
    for (int f = 0; f < count; f++) {
        filter_entry entry;
        if (!read_filter(dcpl, f, &entry))
            return cc_fail(err, CC_ERR_INPUT, "cannot read the filters of %s", what);
        if (can_decode(entry.id))
            continue;
        char name[128];
        filter_name(&entry, name, sizeof name);
        const known_filter *known = find_known(entry.id);
        if (known != NULL && known->package != NULL)
            return cc_fail(err, CC_ERR_INPUT,
                           "%s is compressed with %s (HDF5 filter %d), which this cubecast was "
                           "built without: install Debian's %s and build cubecast again",
                           what, name, (int)entry.id, known->package);
        return cc_fail(err, CC_ERR_INPUT,
                       "%s is compressed with %s (HDF5 filter %d), which is not available here: "
                       "put an HDF5 plugin for it, built for parallel HDF5, in a folder named by "
                       "HDF5_PLUGIN_PATH",
                       what, name, (int)entry.id);
    }
    return CC_OK;
}

/* HDF5's own deflate, shuffle, Fletcher32, N-bit and scale-offset filters
 * never skip a chunk (deflate's output buffer has zlib's bound) and always
 * decode to the chunk's size. */
static int hdf5_own(H5Z_filter_t id)
{
    return id == H5Z_FILTER_DEFLATE || id == H5Z_FILTER_SHUFFLE || id == H5Z_FILTER_FLETCHER32 ||
           id == H5Z_FILTER_NBIT || id == H5Z_FILTER_SCALEOFFSET;
}

int cc_filters_collective_safe(hid_t dcpl)
{
    int count = H5Pget_nfilters(dcpl);
    for (int f = 0; f < count; f++) {
        unsigned flags = 0;
        size_t value_count = 0;
        H5Z_filter_t id =
            H5Pget_filter2(dcpl, (unsigned)f, &flags, &value_count, NULL, 0, NULL, NULL);
        if (id < 0 || !hdf5_own(id))
            return 0;
    }
    return 1;
}

/* " level 4" for deflate, " lz4" for Blosc's inner compressor. */
static void filter_setting(const filter_entry *entry, char *out, size_t out_size)
{
    out[0] = '\0';
    if (entry->id == H5Z_FILTER_DEFLATE && entry->value_count > 0)
        snprintf(out, out_size, " level %u", entry->values[0]);
#ifdef CC_HAVE_BLOSC
    const char *inner = NULL;
    if (entry->id == CC_FILTER_BLOSC && entry->value_count > 6 &&
        blosc_compcode_to_compname((int)entry->values[6], &inner) >= 0 && inner != NULL)
        snprintf(out, out_size, " %s", inner);
#endif
}

void cc_filters_describe(hid_t dcpl, char *out, size_t out_size)
{
    int count = H5Pget_nfilters(dcpl);
    size_t used = 0;
    if (out_size > 0)
        out[0] = '\0';
    for (int f = 0; f < count && used < out_size; f++) {
        filter_entry entry;
        if (!read_filter(dcpl, f, &entry))
            break;
        char name[128], setting[32];
        filter_name(&entry, name, sizeof name);
        filter_setting(&entry, setting, sizeof setting);
        used += (size_t)snprintf(out + used, out_size - used, "%s%s%s (filter %d%s)", f ? ", " : "",
                                 name, setting, (int)entry.id,
                                 can_decode(entry.id) ? "" : ", not available");
    }
}
