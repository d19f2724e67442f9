"""The floating-point control state of this process, which filter plugins change.

Debian's bitshuffle and LZF plugins (and importing hdf5plugin, which loads them) turn on flush-to-zero and
denormals-are-zero (MXCSR FTZ/DAZ) for the whole process: afterwards numpy converts a float32 subnormal to
0.0. The generators and the reference dump reset the state before and after each HDF5 read or write that
can load a plugin, so that subnormal values are written and reported as they are.
"""
import ctypes

import numpy as np

_libm = ctypes.CDLL('libm.so.6')
_FE_DFL_ENV = ctypes.c_void_p(-1)  # glibc's FE_DFL_ENV: the default environment (MXCSR 0x1f80 on x86-64)


def reset():
    if _libm.fesetenv(_FE_DFL_ENV) != 0:
        raise OSError('fesetenv(FE_DFL_ENV) failed')


def flushes():
    """Whether subnormal numbers are flushed to zero right now."""
    return float(np.array([1.401298464324817e-45], dtype='<f4').astype('<f8')[0]) == 0.0
