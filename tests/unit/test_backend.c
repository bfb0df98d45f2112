/* test_backend.c - the backend seam (backend.h) and the devices' record.
 *
 * --device cpu is the CPU; auto is the CPU where no CUDA device is seen;
 * cuda without one fails with the cause.  The CPU backend renders what
 * cc_render_slab renders, bit for bit, and refuses a volume it was not
 * bound to.  The manifest's "devices" is no sweep parameter. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cubecast/backend.h"
#include "cubecast/manifest.h"
#include "cubecast/render.h"

static void test_choose(void)
{
    cc_backend_choice choice;
    cc_error err;
    CHECK_INT(cc_backend_choose(CC_DEVICE_CPU, 3, &choice, &err), CC_OK);
    CHECK_INT(choice.kind, CC_DEVICE_CPU);
    CHECK_INT(cc_backend_choose(CC_DEVICE_AUTO, 3, &choice, &err), CC_OK);
    int gpu = choice.kind == CC_DEVICE_CUDA;
    cc_status status = cc_backend_choose(CC_DEVICE_CUDA, 3, &choice, &err);
    if (gpu) { /* where a device is seen, cuda takes one */
        CHECK_INT(status, CC_OK);
        CHECK_INT(choice.kind, CC_DEVICE_CUDA);
    } else { /* else it fails, saying why */
        CHECK_INT(status, CC_ERR_RESOURCES);
        CHECK(strstr(err.message, "--device cuda") != NULL);
        CHECK(strstr(err.message, "without CUDA") != NULL || strstr(err.message, "no ") != NULL);
    }
}

static void test_cpu_renders_as_before(void)
{
    enum { N = 9 };
    long shape[3] = {6, 7, 8};
    cc_box whole = cc_box_whole(shape[0], shape[1], shape[2]);
    cc_error err;
    for (int p = 0; p < 2; p++) {
        cc_precision precision = p ? CC_DOUBLE : CC_SINGLE;
        cc_volume *volume = NULL, *other = NULL;
        CHECK_INT(cc_volume_create(shape, &whole, precision, &volume, &err), CC_OK);
        CHECK_INT(cc_volume_create(shape, &whole, precision, &other, &err), CC_OK);
        size_t count = cc_box_voxels(&whole);
        for (size_t i = 0; i < count; i++) {
            double value = 0.5 + (double)((i * 2654435761u) % 1000) * 0.37;
            if (precision == CC_SINGLE)
                ((float *)cc_volume_values(volume))[i] = (float)value;
            else
                ((double *)cc_volume_values(volume))[i] = value;
        }
        cc_backend_choice cpu;
        CHECK_INT(cc_backend_choose(CC_DEVICE_CPU, 0, &cpu, &err), CC_OK);
        cc_backend *backend = NULL;
        cc_renderer *renderer = NULL;
        cc_image *a = NULL, *b = NULL;
        CHECK_INT(cc_backend_create(&cpu, &backend, &err), CC_OK);
        CHECK(strcmp(cc_backend_name(backend), "cpu") == 0);
        CHECK_INT(cc_renderer_create(&renderer, &err), CC_OK);
        CHECK_INT(cc_image_create(N, 0, N, &a, &err), CC_OK);
        CHECK_INT(cc_image_create(N, 0, N, &b, &err), CC_OK);
        cc_tf tf;
        cc_tf_original(&tf);
        CHECK_INT(cc_backend_set_transfer(backend, &tf, &err), CC_OK);
        CHECK_INT(cc_backend_bind(backend, volume, &err), CC_OK);
        cc_box cells = cc_cells_whole(shape);
        for (int frame = 0; frame < 3; frame++) {
            cc_view view = cc_view_of_frame(N, 0.0, 90.0, 3, frame);
            CHECK_INT(cc_backend_render_slab(backend, volume, &view, &cells, a, &err), CC_OK);
            CHECK_INT(cc_render_slab(renderer, volume, &view, &cells, b, &err), CC_OK);
            CHECK(memcmp(a->colour, b->colour, sizeof *a->colour * 3 * N * N) == 0);
            CHECK(memcmp(a->transmittance, b->transmittance, sizeof *a->transmittance * N * N) ==
                  0);
        }
        cc_view view = cc_view_of_frame(N, 0.0, 90.0, 3, 0);
        CHECK_INT(cc_backend_render_slab(backend, other, &view, &cells, a, &err), CC_ERR_INTERNAL);
        cc_image_destroy(a);
        cc_image_destroy(b);
        cc_renderer_destroy(renderer);
        cc_backend_destroy(backend);
        cc_volume_destroy(volume);
        cc_volume_destroy(other);
    }
}

static void test_devices_not_compared(void)
{
    cc_render_options options = cc_render_options_default();
    options.input = "cube.h5";
    options.range_end = options.frames;
    cc_input_identity input = {{6, 7, 8}, "float32", 1234u, 1};
    cc_manifest *ours = NULL, *theirs = NULL;
    cc_error err;
    CHECK_INT(cc_manifest_create(&options, &input, &ours, &err), CC_OK);
    CHECK_INT(cc_manifest_create(&options, &input, &theirs, &err), CC_OK);
    char names[2][CC_BACKEND_NAME_MAX] = {"cpu", "cpu"};
    char gpus[2][CC_BACKEND_NAME_MAX] = {"cuda:0 NVIDIA H200", "cuda:1 NVIDIA H200"};
    cc_manifest_set_devices(ours, names[0], sizeof names[0], 2);
    cc_manifest_set_devices(theirs, gpus[0], sizeof gpus[0], 2);
    char difference[256] = "";
    CHECK(cc_manifest_same_sweep(ours, theirs, difference, sizeof difference));
    char *text = NULL;
    size_t length = 0;
    CHECK_INT(cc_manifest_dump(theirs, &text, &length, &err), CC_OK);
    CHECK(text != NULL && strstr(text, "\"cuda:1 NVIDIA H200\"") != NULL);
    free(text);
    cc_manifest_destroy(ours);
    cc_manifest_destroy(theirs);
}

int main(void)
{
    test_choose();
    test_cpu_renders_as_before();
    test_devices_not_compared();
    return check_result("backend");
}
