/* profile.h - where time and memory go, per phase, over all ranks.
 *
 * Each rank accumulates wall time per phase; at the end the phases are
 * reduced over ranks into min / mean / max and each rank's share, with the
 * per-rank peak RSS and input bytes, as a table for people and JSON for the
 * manifest (what the seeds' line and memory profiles showed for the
 * original script).
 *
 * Frames are PNG-encoded and written by a thread beside the render
 * (writer.h): that thread's seconds are added to encode and write, while
 * the main thread renders the next frame, and the main thread's time
 * blocked waiting for it goes to wait.  So encode and write overlap render,
 * and a rank's phases may sum to more than its wall time. */
#ifndef CUBECAST_PROFILE_H
#define CUBECAST_PROFILE_H

#include <mpi.h>

#include "cubecast/error.h"

typedef enum cc_phase {
    CC_PHASE_SETUP,  /* options, opening the input, planning */
    CC_PHASE_READ,   /* reading the volume */
    CC_PHASE_UPLOAD, /* copying it to the GPU (CUDA backend) */
    CC_PHASE_PROJECTION,
    CC_PHASE_RENDER,
    CC_PHASE_COMPOSITE, /* gathering rows / compositing partial images */
    CC_PHASE_ENCODE,    /* (C, T) to pixels; PNG encoding (writer thread) */
    CC_PHASE_WRITE,     /* frame (writer thread), raw and manifest writes */
    CC_PHASE_WAIT,      /* waiting for work, other ranks or the writer thread */
    CC_PHASE_COUNT
} cc_phase;

typedef struct cc_profile {
    double start; /* cc_profile_now() at creation */
    double seconds[CC_PHASE_COUNT];
    double samples;                /* camera samples rendered */
    unsigned long long bytes_read; /* from the input file */
    int frames;                    /* frames this rank finished */
    char device[64];               /* what rendered: "cpu", "cuda:0 NAME" (backend.h) */
    char kernel[16];               /* the CPU kernel's instruction set, or "cuda" (backend.h) */
} cc_profile;

/* Monotonic wall-clock seconds. */
double cc_profile_now(void);

void cc_profile_init(cc_profile *profile);

/* Adds the time since *mark to phase and sets *mark to now. */
void cc_profile_lap(cc_profile *profile, cc_phase phase, double *mark);

/* Peak resident set size of this process in bytes. */
unsigned long long cc_peak_rss_bytes(void);

/* Collective: reduces every rank's profile; on rank 0 *table and *json get
 * malloc'd text (NULL elsewhere). */
cc_status cc_profile_report(const cc_profile *profile, MPI_Comm comm, char **table, char **json,
                            cc_error *err);

#endif
