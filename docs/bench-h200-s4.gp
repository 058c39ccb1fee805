# Plots of the NVIDIA H200 runs of the fourth session (issue 14) in docs/benchmarks.md, from the
# CSV files scripts/bench-isolated.sh wrote there (each mode family in a process of its own,
# five rounds; one point per round): gnuplot docs/bench-h200-s4.gp, from the source root.
set terminal pngcairo size 1000,620 font 'DejaVu Sans,10' noenhanced
set datafile separator ','
set datafile missing 'NaN'
set logscale xy 2
set logscale y 10
set grid
set key outside right top
set xlabel 'array size'
set ylabel 'median time per frame of each round (ms)'
set xtics ('4 KiB' 4096, '16 KiB' 16384, '64 KiB' 65536, '256 KiB' 262144, '1 MiB' 1048576, \
           '4 MiB' 4194304, '16 MiB' 16777216, '64 MiB' 67108864, '256 MiB' 268435456)
set xrange [4096/1.4:268435456*1.4]
# Each mode a little apart along x, so that the rounds of one size do not hide each other.
m(name) = (strcol(1) eq 'frame' && strcol(2) eq name) ? column(8) / 1e6 : NaN
x(shift) = column(5) * shift

set output 'docs/bench-h200-s4-opencl.png'
f = 'docs/bench-h200-s4-opencl-isolated.csv'
set title 'OpenCL, NVIDIA H200 (driver 580), one mode family per process, 5 rounds'
plot f using (x(0.92)):(m('copy')) with points pt 5 ps 1.2 lc rgb '#d62728' title 'copy', \
     f using (x(1.0)):(m('zcs-auto')) with points pt 7 ps 1.2 lc rgb '#1f77b4' title 'zcs-auto (staged)', \
     f using (x(1.08)):(m('raw-svm_coarse')) with points pt 4 lc rgb '#2ca02c' title 'raw-svm_coarse', \
     f using (x(1.16)):(m('raw-host_ptr')) with points pt 6 lc rgb '#ff7f0e' title 'raw-host_ptr'

set output 'docs/bench-h200-s4-vulkan.png'
f = 'docs/bench-h200-s4-vulkan-isolated.csv'
set title 'Vulkan, NVIDIA H200 (driver 580), one mode family per process, 5 rounds'
plot f using (x(0.94)):(m('copy')) with points pt 5 ps 1.2 lc rgb '#d62728' title 'copy (staging, one submission)', \
     f using (x(1.06)):(m('zcs-auto')) with points pt 7 ps 1.2 lc rgb '#1f77b4' title 'zcs-auto (staged)'
