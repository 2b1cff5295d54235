# plot-overhead.gp — overhead (modeled cycles per op over native): bars grouped per
# benchmark (measurement), one colour per configuration, native as a dashed line at 1.
# bench plot sets: datafile outfile term title caption palette ncols logy.
eval "set terminal ".term." noenhanced"
set output outfile
set title title
set label 101 caption at screen 0.01, screen 0.02 left font ",9" textcolor rgb "#444444"
set bmargin 9
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.9 border rgb "#333333"
set boxwidth 0.9
set datafile missing "-"
set ylabel "overhead (x native)"
set xtics rotate by 35 right nomirror
set ytics nomirror
set grid ytics lc rgb "#dddddd"
set key outside right top vertical Left reverse noautotitle
if (logy) { set logscale y; set yrange [0.5:*]; set ylabel "overhead (x native, log scale)" } else { set yrange [0:*] }
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb "#555555" front
plot for [i=2:ncols+1] datafile using i:xtic(1) title columnheader(i) lc rgb word(palette, (i-2)%8+1)
