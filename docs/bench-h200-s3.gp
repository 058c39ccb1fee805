# Plots of the NVIDIA H200 run of the third session (issue 14: one wait per map, uploads and
# read-backs in the dispatch's submission) in docs/benchmarks.md, from the CSV files zcs-bench
# wrote there (the machine has no gnuplot): gnuplot docs/bench-h200-s3.gp, from the source root.
set terminal pngcairo size 1000,620 font 'DejaVu Sans,10' noenhanced
set datafile separator ','
set datafile missing 'NaN'
set logscale xy 2
set logscale y 10
set grid
set key outside right top
set xlabel 'array size'
set ylabel 'median time per frame (ms)'
set xtics ('4 KiB' 4096, '16 KiB' 16384, '64 KiB' 65536, '256 KiB' 262144, '1 MiB' 1048576, \
           '4 MiB' 4194304, '16 MiB' 16777216, '64 MiB' 67108864, '256 MiB' 268435456)
set xrange [4096/1.4:268435456*1.4]
m(name) = (strcol(1) eq 'frame' && strcol(2) eq name) ? column(8) / 1e6 : NaN

set output 'docs/bench-h200-s3-opencl.png'
f = 'docs/bench-h200-s3-opencl.csv'
set title 'OpenCL, NVIDIA H200 (NVIDIA CUDA, driver 580), third session: frame = CPU writes, kernel, CPU reads'
plot f using 5:(m('copy')) with linespoints lw 3 pt 5 lc rgb '#d62728' title 'copy', \
     f using 5:(m('zcs-auto')) with linespoints lw 3 pt 7 lc rgb '#1f77b4' title 'zcs-auto (staged)', \
     f using 5:(m('zcs-pipelined')) with linespoints lw 2 pt 9 lc rgb '#9467bd' title 'zcs-pipelined', \
     f using 5:(m('raw-svm_coarse')) with linespoints lw 1 dt 2 pt 4 lc rgb '#2ca02c' title 'raw-svm_coarse', \
     f using 5:(m('raw-host_ptr')) with linespoints lw 1 dt 2 pt 4 lc rgb '#ff7f0e' title 'raw-host_ptr', \
     f using 5:(m('kernel')) with linespoints lw 1 dt 4 pt 3 lc rgb '#7f7f7f' title 'kernel alone'

set output 'docs/bench-h200-s3-vulkan.png'
f = 'docs/bench-h200-s3-vulkan.csv'
set title 'Vulkan, NVIDIA H200 (driver 580), third session: frame = CPU writes, kernel, CPU reads'
plot f using 5:(m('copy')) with linespoints lw 3 pt 5 lc rgb '#d62728' title 'copy', \
     f using 5:(m('zcs-auto')) with linespoints lw 3 pt 7 lc rgb '#1f77b4' title 'zcs-auto (staged)', \
     f using 5:(m('zcs-pipelined')) with linespoints lw 2 pt 9 lc rgb '#9467bd' title 'zcs-pipelined', \
     f using 5:(m('zcs-vulkan_mapped')) with linespoints lw 1 pt 6 lc rgb '#17becf' title 'zcs-vulkan_mapped (streamed)', \
     f using 5:(m('kernel')) with linespoints lw 1 dt 4 pt 3 lc rgb '#7f7f7f' title 'kernel alone'
