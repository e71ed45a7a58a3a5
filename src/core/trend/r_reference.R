# Reference values for src/core/trend.rs and tests/test_trends.py: R glm on series generated here.
# Run from the project root: Rscript src/core/trend/r_reference.R > src/core/trend/r_reference.out
# Output committed as r_reference.out (R 4.2.2). Each fit is refitted three times from its own estimates with
# glm.control(epsilon = 1e-12), so R's covariance is taken at the converged fit; glm's default
# stopping rule takes it a step short, which moves p-values by up to about 1e-4 of themselves
# (its rate ratios and p-values are printed last, for the record).
set.seed(20191231)
out <- function(name, v) cat(sprintf("%s = [%s]\n", name, paste(ifelse(is.na(v), "NA", sprintf("%.17g", as.numeric(v))), collapse=", ")))
n_series <- 60
lengths <- sample(5:12, n_series, replace = TRUE)
series <- lapply(seq_len(n_series), function(k) {
  n <- lengths[k]
  time <- 0:(n - 1)
  population <- round(runif(1, 2e4, 2e6) * exp(cumsum(rnorm(n, 0.005, 0.01))))
  base <- exp(runif(1, log(0.05), log(20))) / 1000   # rates from 0.05 to 20 per 1,000
  slope <- sample(c(0, 0, rnorm(1, 0, 0.08)), 1)
  mu <- population * base * exp(slope * time)
  size <- sample(c(Inf, 5, 50, 500), 1)                 # Poisson or overdispersed counts
  count <- if (is.infinite(size)) rpois(n, mu) else rnbinom(n, size = size, mu = mu)
  data.frame(series = k, time = time, count = count, population = population)
})
d <- do.call(rbind, series)
out("lengths", lengths); out("time", d$time); out("count", d$count); out("population", d$population)
for (family in c("poisson", "quasipoisson")) {
  rows <- t(sapply(series, function(s) {
    m <- glm(count ~ time + offset(log(population)), family = family, data = s)
    for (again in 1:3) m <- glm(count ~ time + offset(log(population)), family = family, data = s,
                                start = coef(m), control = glm.control(epsilon = 1e-12, maxit = 100))
    b <- coef(m)[["time"]]
    dispersion <- sum(residuals(m, type = "pearson")^2) / m$df.residual
    if (family == "poisson") {
      ci <- confint.default(m, "time")                    # Wald interval
      p <- summary(m)$coefficients["time", "Pr(>|z|)"]
    } else {
      # summary's t-test, with the dispersion floored at 1 for interval and test (Fingertips)
      se <- sqrt(summary(m)$cov.unscaled["time", "time"]) * sqrt(max(1, dispersion))
      ci <- b + c(-1, 1) * qt(0.975, m$df.residual) * se
      p <- 2 * pt(-abs(b / se), m$df.residual)
    }
    c(exp(b), exp(ci[1]), exp(ci[2]), p, dispersion)
  }))
  out(paste(family, "rate_ratio"), rows[, 1]); out(paste(family, "lower"), rows[, 2])
  out(paste(family, "upper"), rows[, 3]); out(paste(family, "p_value"), rows[, 4])
  out(paste(family, "dispersion"), rows[, 5])
}
fits <- lapply(series, function(s) summary(glm(count ~ time + offset(log(population)), family = poisson, data = s))$coefficients)
out("poisson default rate_ratio", sapply(fits, function(f) exp(f["time", "Estimate"])))
out("poisson default p_value", sapply(fits, function(f) f["time", "Pr(>|z|)"]))
