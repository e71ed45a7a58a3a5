# Reference values for the overdispersed funnel (src/core/changes.rs, tests/test_changes.py):
# FunnelPlotR's own phi and tau^2 functions (R/od_adjustment.R of a FunnelPlotR checkout, sourced,
# not copied) on areas generated here, and Spiegelhalter (2005)'s limits written out.
# Run from the project root:
#   Rscript src/core/funnel/r_reference.R PATH/TO/FunnelPlotR > src/core/funnel/r_reference.out
# Output committed as r_reference.out (R 4.2.2, FunnelPlotR 0.6.0 at commit 9020d49).
args <- commandArgs(trailingOnly = TRUE)
source(file.path(args[1], "R", "od_adjustment.R"))
out <- function(name, v) cat(sprintf("%s = [%s]\n", name, paste(sprintf("%.17g", as.numeric(v)), collapse=", ")))
set.seed(2005)
for (case in c("forces", "small", "poisson")) {
  k <- switch(case, forces = 42, small = 12, poisson = 30)
  population <- round(runif(k, 1e5, 3e6))
  spread <- switch(case, forces = 0.2, small = 0.4, poisson = 0)
  count <- rpois(k, population / 1000 * 9 * exp(rnorm(k, 0, spread)))
  target <- sum(count) / sum(population) * 1000          # the pooled rate per 1,000
  expected <- target * population / 1000
  # FunnelPlotR: data_type = "SR", sr_method = "CQC" (square root), trim_by = 0.1, with the
  # expected counts as denominators.
  agg <- data.frame(numerator = count, denominator = expected)
  agg <- transformed_zscore(agg, data_type = "SR", sr_method = "CQC")
  agg <- winsorisation(agg, trim_by = 0.1)
  n <- sum(!is.na(agg$Wuzscore))
  phi <- phi_func(n, na.omit(agg$Wuzscore))
  tau2 <- tau_func(n, phi, agg$s[!is.na(agg$Wuzscore)])
  out(paste(case, "count"), count); out(paste(case, "population"), population)
  out(paste(case, "phi"), phi); out(paste(case, "tau2"), tau2)
  s <- agg$s
  for (conf in c(0.95, 0.998)) {
    q <- qnorm(1 - (1 - conf) / 2)
    tag <- paste(case, sub("\\.", "_", as.character(conf * 100)))
    # Spiegelhalter (2005): square-root-scale limits 1 -/+ q sqrt(s^2 + tau^2) (additive) and
    # 1 -/+ q sqrt(phi) s (multiplicative), squared back to the rate scale, applied when phi > 1.
    add <- if (phi > 1) sqrt(s^2 + tau2) else NA
    mul <- if (phi > 1) sqrt(phi) * s else NA
    out(paste(tag, "additive lower"), target * pmax(0, 1 - q * add)^2)
    out(paste(tag, "additive upper"), target * (1 + q * add)^2)
    out(paste(tag, "multiplicative lower"), target * pmax(0, 1 - q * mul)^2)
    out(paste(tag, "multiplicative upper"), target * (1 + q * mul)^2)
  }
}
