# plot-sweep.gp — a sweep: modeled cycles per operation against the swept argument, one
# line per configuration (and profile, measurement); log x for a geometric range.
# bench plot sets: datafile outfile term title caption palette nseries series xkey logx logy.
eval "set terminal ".term." noenhanced"
set output outfile
set title title
set label 101 caption at screen 0.01, screen 0.02 left font ",9" textcolor rgb "#444444"
set bmargin 6
set xlabel xkey.(logx ? " (log scale)" : "")
set ylabel "modeled cycles per operation".(logy ? " (log scale)" : "")
set grid lc rgb "#dddddd"
set key outside right top vertical Left reverse
set xtics nomirror
set ytics nomirror
set offsets graph 0.03, graph 0.03, graph 0.05, graph 0.05
if (logx) { set logscale x 2 }
if (logy) { set logscale y }
plot for [s=1:nseries] datafile index s-1 using 1:2 with linespoints lw 2 dt 1+(s-1)%5 pt ((s-1)%7+5) ps 1.4 \
	lc rgb word(palette, (s-1)%8+1) title word(series, s)
