/* version.h - the cubecast version. */
#ifndef CUBECAST_VERSION_H
#define CUBECAST_VERSION_H

#define CC_VERSION_STRING "0.1.0"

#endif
