# Plots of the NVIDIA H200 runs of the seventh session (issue 14, waits) in docs/benchmarks.md,
# from the CSV files zcs-bench wrote there: gnuplot docs/bench-h200-s7.gp, from the source root.
set terminal pngcairo size 1000,620 font 'DejaVu Sans,10' noenhanced
set datafile separator ','
set datafile missing 'NaN'
set logscale x 2
set grid
set key outside right top
set xlabel 'array size'
set ylabel 'speed over the copy frame (copy median / mode median)'
set xtics ('4 KiB' 4096, '16 KiB' 16384, '64 KiB' 65536, '256 KiB' 262144, '1 MiB' 1048576, \
           '4 MiB' 4194304, '16 MiB' 16777216, '64 MiB' 67108864, '256 MiB' 268435456)
set xrange [4096/1.4:268435456*1.4]
s(name) = (strcol(1) eq 'frame' && strcol(2) eq name) ? column(12) : NaN

set output 'docs/bench-h200-s7-opencl.png'
f = 'docs/bench-h200-s7-opencl.csv'
set title 'OpenCL, NVIDIA H200 (driver 580): zcs blocks (the automatic choice)'
plot f using 5:(s('zcs-auto')) with linespoints pt 7 lw 2 lc rgb '#1f77b4' title 'zcs-auto (staged)', \
     f using 5:(s('raw-svm_coarse')) with linespoints pt 4 lc rgb '#2ca02c' title 'raw-svm_coarse', \
     f using 5:(s('raw-host_ptr')) with linespoints pt 6 lc rgb '#ff7f0e' title 'raw-host_ptr', \
     f using 5:(s('copy')) with lines lw 2 lc rgb '#d62728' title 'copy'

set output 'docs/bench-h200-s7-vulkan.png'
f = 'docs/bench-h200-s7-vulkan.csv'
b = 'docs/bench-h200-s7-vulkan-block.csv'
set title 'Vulkan, NVIDIA H200 (driver 580): zcs polls, then blocks (the automatic choice)'
set yrange [0:2.5]
plot f using 5:(s('zcs-auto')) with linespoints pt 7 lw 2 lc rgb '#1f77b4' title 'zcs-auto (staged, polls)', \
     b using 5:(s('zcs-auto')) with linespoints pt 6 lc rgb '#17becf' title 'zcs-auto, --wait block', \
     f using 5:(s('zcs-vulkan_mapped')) with linespoints pt 4 lc rgb '#9467bd' title 'zcs-vulkan_mapped (polls)', \
     f using 5:(s('copy')) with lines lw 2 lc rgb '#d62728' title 'copy (staging, blocks)'
