/* stop.c - stop signals (stop.h). */
#include "cubecast/stop.h"

#include <signal.h>
#include <string.h>

/* The one mutable global: a signal handler can only talk through one. */
static volatile sig_atomic_t cc_stop_flag = 0;

static void on_stop_signal(int signal_number)
{
    (void)signal_number;
    cc_stop_flag = 1;
}

void cc_stop_install(void)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGUSR1, &action, NULL);
    sigaction(SIGINT, &action, NULL);
}

int cc_stop_requested(void)
{
    return cc_stop_flag != 0;
}

int cc_stop_thread_create(pthread_t *thread, void *(*main)(void *), void *argument)
{
    sigset_t blocked, old;
    sigfillset(&blocked);
    /* Faults stay deliverable to the thread that causes them. */
    const int faults[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGABRT};
    for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++)
        sigdelset(&blocked, faults[i]);
    pthread_sigmask(SIG_BLOCK, &blocked, &old);
    int started = pthread_create(thread, NULL, main, argument) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return started;
}
