# plot-categories.gp — modeled cycles per operation, stacked by cost category.
eval "set terminal ".term." noenhanced"
set output outfile
set title title." — where the modeled cycles went"
set style data histograms
set style histogram rowstacked
set style fill solid 0.8 border -1
set ylabel "modeled cycles per operation"
set xtics rotate by -30
set key outside right
set grid ytics
plot for [i=2:9] datafile using i:xtic(1) title columnheader(i)
