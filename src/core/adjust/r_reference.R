# Reference values for tests/test_adjust.py: R p.adjust on p-values generated here, with NA.
# Run from the project root: Rscript src/core/adjust/r_reference.R > src/core/adjust/r_reference.out
# Output committed as r_reference.out (R 4.2.2).
set.seed(43)
out <- function(name, v) cat(sprintf("%s = [%s]\n", name, paste(ifelse(is.na(v), "NA", sprintf("%.17g", as.numeric(v))), collapse=", ")))
cases <- list(
  mixed = c(runif(30), rbeta(13, 0.3, 4)),                 # 43 forces: some small p-values
  ties = c(0.01, 0.01, 0.04, 0.04, 0.04, 0.5, 1, 0, 0.2),
  with_na = c(0.003, NA, 0.02, 0.5, NA, 0.04, 0.011),
  one = 0.03,
  tiny = c(1e-300, 5e-8, 0.049, 0.051, 0.9)
)
for (nm in names(cases)) {
  p <- cases[[nm]]
  out(paste(nm, "p"), p)
  for (m in c("holm", "hochberg", "BH", "BY", "bonferroni")) out(paste(nm, tolower(m)), p.adjust(p, m))
}
