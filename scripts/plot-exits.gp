# plot-exits.gp — exits per operation by reason (SDM names), stacked.
eval "set terminal ".term." noenhanced"
set output outfile
set title title." — exits per operation"
set style data histograms
set style histogram rowstacked
set style fill solid 0.8 border -1
set ylabel "exits per operation"
set xtics rotate by -30
set key outside right
set grid ytics
set yrange [0:*]
plot for [i=2:11] datafile using i:xtic(1) title columnheader(i)
