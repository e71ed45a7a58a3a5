# Reference values for crimestats.smooth_rates: R spdep's EBest (global) and EBlocal (local,
# geoda = FALSE) on a 6 x 5 grid of neighbourhoods with rook neighbours.
# Run from this folder: Rscript spdep_eb.R > spdep_eb.csv
suppressPackageStartupMessages(library(spdep))
nb <- cell2nb(6, 5, type = "rook")
count <- c(3, 0, 12, 27, 1, 95, 4, 9, 0, 2, 45, 6, 8, 31, 15, 0, 11, 3, 59, 2,
           7, 4, 13, 1, 0, 22, 16, 29, 3, 17)
population <- c(310, 120, 2400, 860, 95, 5100, 700, 1500, 80, 450, 2600, 1100,
                1300, 4800, 640, 150, 1900, 420, 3300, 260, 990, 610, 2100, 175,
                60, 3900, 870, 1600, 390, 2800)
global <- EBest(count, population)
local <- EBlocal(count, population, nb)
neighbours <- sapply(nb, function(n) paste(n - 1, collapse = ";"))
out <- data.frame(
  count = count, population = population, neighbours = neighbours,
  global_raw = sprintf("%.17g", global$raw), global_smoothed = sprintf("%.17g", global$estmm),
  local_raw = sprintf("%.17g", local$raw), local_smoothed = sprintf("%.17g", local$est)
)
cat(sprintf("# R %s, spdep %s\n", getRversion(), packageVersion("spdep")))
write.csv(out, stdout(), row.names = FALSE, quote = TRUE)
