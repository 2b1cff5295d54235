# plot-overhead.gp — overhead (cycles per operation over native) per measurement and
# configuration. Called by bench plot with datafile, outfile, term, title set.
eval "set terminal ".term." noenhanced"
set output outfile
set title title
set style data histograms
set style fill solid 0.8 border -1
set ylabel "overhead (modeled cycles per op / native)"
set xtics rotate by -30
set grid ytics
set yrange [0:*]
plot datafile using 2:xtic(1) title "overhead" linecolor rgb "#4472c4"
