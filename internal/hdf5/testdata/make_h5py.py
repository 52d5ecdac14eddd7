# Generates h5py.h5, a fixture written by h5py (3.7, libhdf5 1.10) that the
# tests read back: types and attribute kinds that package hdf5 does not
# write itself. Run with: python3 make_h5py.py
import h5py
import numpy as np

with h5py.File("h5py.h5", "w", track_order=False) as f:
    f.attrs["s"] = "héllo"                       # VL UTF-8 str
    f.attrs["fixed"] = np.bytes_("fixed str")    # fixed-length, null-padded
    f.attrs["i32"] = np.int32(-7)
    f.attrs["u8arr"] = np.array([1, 2, 3], dtype=np.uint8)
    f.attrs["f32"] = np.float32(0.5)
    f.attrs["bool"] = True                       # enum: unsupported
    f.attrs["2d"] = np.ones((2, 2))              # rank 2: unsupported
    f.create_dataset("u8", data=np.arange(6, dtype=np.uint8).reshape(2, 3))
    f.create_dataset("x", data=np.linspace(0, 1, 5).astype(np.float32),
                     compression="gzip", compression_opts=7, shuffle=True,
                     maxshape=(None,), chunks=(4,))
    f.create_dataset("input", data=np.arange(24, dtype=np.float64).reshape(2, 3, 4))
    g = f.create_group("grid")
    g.create_dataset("x", data=np.arange(3, dtype=np.int64))
