/* cuda_runtime.h - the stand-in's face: a .cu file that includes
 * <cuda_runtime.h> compiles as C++ against the stand-in when this folder
 * comes first on the include path (tests/cuda/CMakeLists.txt). */
#include "../cuda_standin.h"
