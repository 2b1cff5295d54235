# plot-categories.gp — modeled cycles per operation stacked by cost category: one bar
# per configuration, grouped per benchmark (measurement); only categories that occur.
# bench plot sets: datafile outfile term title caption palette ncols ngroups groups share (totals spanning
# more than a decade: each bar as shares of its total, the total in its label).
eval "set terminal ".term." noenhanced"
set output outfile
set title title
set label 101 caption at screen 0.01, screen 0.015 left font ",9" textcolor rgb "#444444"
set bmargin 15
set style data histograms
set style histogram rowstacked title offset 0,-1.5 font ",11"
set style fill solid 0.9 border rgb "#333333"
set boxwidth 0.8
set ylabel "modeled cycles per operation"
set xtics rotate by 90 right nomirror font ",9"
set ytics nomirror
set grid ytics lc rgb "#dddddd"
set key outside right top vertical Left reverse
if (share) { set ylabel "share of modeled cycles per operation (%), total in the label"; set yrange [0:100] } else { set yrange [0:*] }
cmd = "plot "
do for [g=1:ngroups] {
	cmd = cmd . sprintf("newhistogram \"%s\" lt 1, ", word(groups, g))
	do for [i=2:ncols+1] {
		cmd = cmd . sprintf("datafile index %d using %d:xtic(1) %s lc rgb \"%s\"%s", g-1, i, \
			g == 1 ? sprintf("title columnheader(%d)", i) : "notitle", word(palette, (i-2)%8+1), \
			(g == ngroups && i == ncols+1) ? "" : ", ")
	}
}
eval cmd
