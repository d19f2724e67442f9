"""A NeXus-style master file as a detector control system writes it (Eiger/Dectris style): NX_class
attributes, an instrument description, and /entry/data holding external links to data files whose frames
are bitshuffle+LZ4 compressed.

make(outdir) returns the names of the files it wrote (the master first).
"""
import os

import h5py
import hdf5plugin
import numpy as np

FRAMES_PER_FILE = 3
SHAPE = (96, 80)


def nx(group, cls):
    # NeXus writers store NX_class as a fixed-length ASCII string, as the Eiger firmware does.
    group.attrs['NX_class'] = np.bytes_(cls)
    return group


def frames(first, count):
    rng = np.random.default_rng(100 + first)
    data = rng.poisson(2, size=(count,) + SHAPE).astype('<u4')
    data[:, 10:14, 20:24] += 1000  # a bright spot
    data[:, :, 40] = 0xFFFFFFFF  # a dead column, as the detector marks it
    return data


def make(outdir):
    names = []
    data_files = []
    for k in range(2):
        name = 'nexus_data_%06d.h5' % (k + 1)
        first = k * FRAMES_PER_FILE + 1
        with h5py.File(os.path.join(outdir, name), 'w') as f:
            d = nx(nx(f.create_group('entry'), 'NXentry').create_group('data'), 'NXdata')
            ds = d.create_dataset('data', data=frames(first, FRAMES_PER_FILE), chunks=(1,) + SHAPE,
                                  **hdf5plugin.Bitshuffle(nelems=0, cname='lz4'))
            ds.attrs['image_nr_low'] = np.int32(first)
            ds.attrs['image_nr_high'] = np.int32(first + FRAMES_PER_FILE - 1)
        data_files.append(name)
    master = 'nexus_master.h5'
    with h5py.File(os.path.join(outdir, master), 'w') as f:
        f.attrs['default'] = 'entry'
        entry = nx(f.create_group('entry'), 'NXentry')
        entry.attrs['default'] = 'data'
        entry['definition'] = np.bytes_(b'NXmx')
        entry['start_time'] = np.bytes_(b'2026-01-01T00:00:00Z')
        inst = nx(entry.create_group('instrument'), 'NXinstrument')
        det = nx(inst.create_group('detector'), 'NXdetector')
        det['description'] = np.bytes_(b'Dectris EIGER2 X 1M (simulated)')
        for key, value, units in [('x_pixel_size', 7.5e-05, 'm'), ('y_pixel_size', 7.5e-05, 'm'),
                                  ('count_time', 0.099999, 's'), ('beam_center_x', 40.5, 'pixel'),
                                  ('detector_distance', 0.12, 'm')]:
            det[key] = np.float64(value)
            det[key].attrs['units'] = np.bytes_(units.encode())
        det['bit_depth_readout'] = np.int32(32)
        det['pixel_mask'] = np.zeros(SHAPE, dtype='<u4')
        spec = nx(det.create_group('detectorSpecific'), 'NXcollection')
        spec['nimages'] = np.int64(2 * FRAMES_PER_FILE)
        spec['ntrigger'] = np.int64(1)
        beam = nx(inst.create_group('beam'), 'NXbeam')
        beam['incident_wavelength'] = np.float32(0.9762)
        beam['incident_wavelength'].attrs['units'] = np.bytes_(b'angstrom')
        sample = nx(entry.create_group('sample'), 'NXsample')
        gonio = nx(sample.create_group('goniometer'), 'NXtransformations')
        omega = gonio.create_dataset('omega', data=np.arange(2 * FRAMES_PER_FILE) * 0.1)
        omega.attrs['transformation_type'] = np.bytes_(b'rotation')
        omega.attrs['vector'] = np.array([-1.0, 0.0, 0.0])
        omega.attrs['units'] = np.bytes_(b'deg')
        sample['depends_on'] = np.bytes_(b'/entry/sample/goniometer/omega')
        data = nx(entry.create_group('data'), 'NXdata')
        data.attrs['signal'] = 'data_000001'
        for k, name in enumerate(data_files):
            data['data_%06d' % (k + 1)] = h5py.ExternalLink(name, '/entry/data/data')
        # a soft link inside the master to the first data file's link, as some writers add
        det['data'] = h5py.SoftLink('/entry/data/data_000001')
    return [master] + data_files
