/* backend.h - what renders a slab: the CPU kernel or a CUDA device.
 *
 * The rest of the program renders through this seam only and does not know
 * which backend runs.  Both keep render.h's contract (cc_render_slab): rows
 * of a view, only the owned cells, a partial (C, T) image.  The CPU backend
 * is cc_renderer unchanged, so its frames are bit for bit what they were;
 * the CUDA backend (cuda_render.h) uploads the volume once and renders
 * every view from the device's copy. */
#ifndef CUBECAST_BACKEND_H
#define CUBECAST_BACKEND_H

#include "cubecast/box.h"
#include "cubecast/error.h"
#include "cubecast/image.h"
#include "cubecast/options.h"
#include "cubecast/transfer.h"
#include "cubecast/view.h"
#include "cubecast/volume.h"

/* Room for a backend's name: "cpu", "cuda:0 NVIDIA H200". */
enum { CC_BACKEND_NAME_MAX = 64 };

/* Which backend a rank uses: kind is CC_DEVICE_CPU or CC_DEVICE_CUDA. */
typedef struct cc_backend_choice {
    cc_device kind;
    int device;                     /* the CUDA device's index among the visible ones */
    double memory_free;             /* its free bytes when chosen (0 for the CPU) */
    char name[CC_BACKEND_NAME_MAX]; /* "cpu", "cuda:INDEX NAME" */
} cc_backend_choice;

typedef struct cc_backend cc_backend;

/* Resolves --device for a rank that is node_rank on its node: auto is CUDA
 * where a usable device is seen, else the CPU; cuda takes device node_rank
 * mod the visible count (CUDA_VISIBLE_DEVICES, or Slurm's per-task GPU
 * binding, decides what is visible), and fails with the reason when there
 * is none (no CUDA build, no driver, no device).  A chosen device becomes
 * the rank's current one and its free memory is measured (the memory plan
 * checks the volume against it); nothing else is allocated. */
cc_status cc_backend_choose(cc_device requested, int node_rank, cc_backend_choice *choice,
                            cc_error *err);

/* A backend on the chosen device, with section 1's transfer function. */
cc_status cc_backend_create(const cc_backend_choice *choice, cc_backend **out, cc_error *err);
void cc_backend_destroy(cc_backend *backend);

/* The transfer function to render with (copied). */
cc_status cc_backend_set_transfer(cc_backend *backend, const cc_tf *tf, cc_error *err);

/* The volume every later slab is rendered from, bound once for the sweep
 * (the CUDA backend copies it to the device).  It must outlive the
 * backend's use of it on the CPU. */
cc_status cc_backend_bind(cc_backend *backend, const cc_volume *volume, cc_error *err);

/* cc_render_slab through the backend; volume must be the bound one. */
cc_status cc_backend_render_slab(cc_backend *backend, const cc_volume *volume, const cc_view *view,
                                 const cc_box *owned_cells, cc_image *image, cc_error *err);

/* For reports and the manifest: "cpu" or "cuda:INDEX NAME". */
const char *cc_backend_name(const cc_backend *backend);

/* For reports: the CPU kernel's instruction set ("avx512", "avx2",
 * "baseline", "native"; render.h), or "cuda". */
const char *cc_backend_kernel(const cc_backend *backend);

#endif
