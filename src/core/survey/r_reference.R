# Reference values for src/core/survey/tests.rs: R survey on its api data (R CSV copies in
# ../shared/reference/api/). Run from the project root: Rscript src/core/survey/r_reference.R
# Output committed as r_reference.out (survey 4.1.1, R 4.2.2).
suppressMessages(library(survey))
d <- "../shared/reference/api/"  # run from the project root
apistrat <- read.csv(paste0(d,"apistrat.csv")); apiclus1 <- read.csv(paste0(d,"apiclus1.csv")); apiclus2 <- read.csv(paste0(d,"apiclus2.csv"))
out <- function(name, v) cat(sprintf("%s = [%s]\n", name, paste(sprintf("%.17g", as.numeric(unlist(v))), collapse=", ")))
by_mean <- function(tag, f, by, des, fun=svymean, ...) {
  r <- svyby(f, by, des, fun, deff=TRUE, keep.var=TRUE, ...)
  out(paste0(tag, " est"), coef(r)); out(paste0(tag, " se"), SE(r)); out(paste0(tag, " deff"), deff(r))
}
designs <- list(
 strat_fpc = svydesign(id=~1, strata=~stype, weights=~pw, data=apistrat, fpc=~fpc),
 strat = svydesign(id=~1, strata=~stype, weights=~pw, data=apistrat),
 clus1_fpc = svydesign(id=~dnum, weights=~pw, data=apiclus1, fpc=~fpc),
 clus1 = svydesign(id=~dnum, weights=~pw, data=apiclus1),
 clus2_fpc = svydesign(id=~dnum+snum, fpc=~fpc1+fpc2, data=apiclus2),
 clus2 = svydesign(id=~dnum+snum, weights=~pw, data=apiclus2)
)
for (nm in names(designs)) {
  des <- designs[[nm]]
  m <- svymean(~api00, des, deff=TRUE); out(paste(nm, "mean api00"), c(coef(m), SE(m), deff(m)))
  t <- svytotal(~enroll, des, deff=TRUE, na.rm=TRUE); out(paste(nm, "total enroll"), c(coef(t), SE(t), deff(t)))
  by_mean(paste(nm, "by awards mean api00"), ~api00, ~awards, des)
  by_mean(paste(nm, "by stype total enroll"), ~enroll, ~stype, des, svytotal, na.rm=TRUE)
  by_mean(paste(nm, "by stype share sch.wide"), ~sch.wide, ~stype, des)
  by_mean(paste(nm, "by awards+yr.rnd mean api00"), ~api00, ~awards+yr.rnd, des)
  out(paste(nm, "degf"), degf(des))
  by_mean(paste(nm, "by awards share stype"), ~stype, ~awards, des)
  for (meth in c("logit","beta","xlogit","mean")) {
    r <- svyby(~I(sch.wide=="Yes"), ~stype, des, svyciprop, method=meth, vartype=c("se","ci"))
    out(paste(nm, "ciprop", meth), c(coef(r), SE(r), r$ci_l, r$ci_u))
    r <- svyby(~I(sch.wide=="Yes"), ~stype, des, svyciprop, method=meth, vartype=c("se","ci"), level=0.9)
    out(paste(nm, "ciprop90", meth), c(r$ci_l, r$ci_u))
  }
  dfs <- sapply(c("E","H","M"), function(s) degf(subset(des, stype==s)))
  out(paste(nm, "domain degf"), dfs)
  out(paste(nm, "nrow"), nrow(des))
}
# sampling fractions instead of population counts
apistrat$frac <- ave(rep(1,nrow(apistrat)), apistrat$stype, FUN=sum)/apistrat$fpc
m <- svymean(~api00, svydesign(id=~1, strata=~stype, weights=~pw, data=apistrat, fpc=~frac), deff=TRUE); out("strat_frac mean api00", c(coef(m), SE(m), deff(m)))
# lonely PSUs
for (opt in c("remove","certainty","adjust","average")) {
  options(survey.lonely.psu=opt)
  des <- svydesign(id=~snum, strata=~dnum, weights=~pw, data=apiclus1)
  m <- svymean(~api00, des, deff=TRUE); out(paste("lonely", opt, "mean api00"), c(coef(m), SE(m), deff(m)))
  t <- svytotal(~enroll, des, deff=TRUE); out(paste("lonely", opt, "total enroll"), c(coef(t), SE(t), deff(t)))
  by_mean(paste("lonely", opt, "by stype mean api00"), ~api00, ~stype, des)
  by_mean(paste("lonely", opt, "by stype total enroll"), ~enroll, ~stype, des, svytotal)
}
options(survey.lonely.psu="fail")
# Stage-2 lonely units: in the two districts (smallest dnum) that sampled at least three schools,
# keep only the school with the smallest snum.
sampled <- table(apiclus2$dnum)
chosen <- sort(as.numeric(names(sampled)[sampled >= 3]))[1:2]
first <- ave(apiclus2$snum, apiclus2$dnum, FUN=min)
lone <- apiclus2[!(apiclus2$dnum %in% chosen) | apiclus2$snum == first, ]
out("stage2 lonely districts", chosen)
r <- try(svymean(~api00, svydesign(id=~dnum+snum, fpc=~fpc1+fpc2, data=lone)), silent=TRUE)
cat("stage2 lonely fail:", inherits(r, "try-error"), "\n")
for (opt in c("remove","certainty","adjust","average")) {
  options(survey.lonely.psu=opt)
  des <- svydesign(id=~dnum+snum, fpc=~fpc1+fpc2, data=lone)
  m <- svymean(~api00, des, deff=TRUE); out(paste("stage2 lonely", opt, "mean api00"), c(coef(m), SE(m), deff(m)))
  t <- svytotal(~enroll, des, na.rm=TRUE); out(paste("stage2 lonely", opt, "total enroll"), c(coef(t), SE(t)))
  r <- svyby(~api00, ~stype, des, svymean); out(paste("stage2 lonely", opt, "by stype mean api00 se"), SE(r))
}
options(survey.lonely.psu="fail")
cat("version", as.character(packageVersion("survey")), R.version.string, "\n")
# ---- survey_design: ratios, contrasts, quantiles, Rao-Scott, calibration, replicate weights ----
apisrs <- read.csv(paste0(d,"apisrs.csv"))
strat <- designs$strat_fpc; clus1 <- designs$clus1_fpc
show <- function(name, s) out(name, c(coef(s), SE(s)))
for (nm in c("strat_fpc", "clus1_fpc", "clus2_fpc")) {
  des <- designs[[nm]]
  show(paste(nm, "ratio api00 api99"), svyratio(~api00, ~api99, des))
  r <- svyby(~api00, ~awards, des, svyratio, denominator=~api99); out(paste(nm, "by awards ratio api00 api99"), c(coef(r), SE(r)))
  b <- svyby(~api00, ~awards, des, svymean, covmat=TRUE); cc <- svycontrast(b, c(Yes=1, No=-1)); out(paste(nm, "contrast awards mean api00"), c(coef(cc), SE(cc)))
  b <- svyby(~api00, ~stype, des, svytotal, covmat=TRUE); cc <- svycontrast(b, c(E=1, M=-1)); out(paste(nm, "contrast stype total api00"), c(coef(cc), SE(cc)))
  q <- svyquantile(~api00, des, c(0.25, 0.5, 0.9)); out(paste(nm, "quantile api00"), q$api00)
  q <- sapply(c("E", "H", "M"), function(h) svyquantile(~api00, subset(des, stype == h), 0.5)$api00); out(paste(nm, "by stype median api00"), q)
  for (st in c("F", "Chisq")) { x <- svychisq(~sch.wide+stype, des, statistic=st); out(paste(nm, "chisq", st, "sch.wide stype"), c(x$statistic, x$parameter, x$p.value)) }
}
pop.types <- data.frame(stype=c("E","H","M"), Freq=c(4421,755,1018))
pop.schwide <- data.frame(sch.wide=c("No","Yes"), Freq=c(1184,5010))
calibrated <- list(
  post = postStratify(clus1, ~stype, pop.types),
  rake = rake(clus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide)),
  greg = calibrate(clus1, ~stype + api99, c(`(Intercept)`=6194, stypeH=755, stypeM=1018, api99=3914069)))
for (nm in names(calibrated)) {
  des <- calibrated[[nm]]
  m <- svymean(~api00, des, deff=TRUE); out(paste("clus1", nm, "mean api00"), c(coef(m), SE(m), deff(m)))
  t <- svytotal(~enroll, des, na.rm=TRUE); show(paste("clus1", nm, "total enroll"), t)
  s <- svymean(~sch.wide, des); show(paste("clus1", nm, "share sch.wide"), s)
  b <- svyby(~api00, ~awards, des, svymean); out(paste("clus1", nm, "by awards mean api00"), c(coef(b), SE(b)))
  show(paste("clus1", nm, "ratio api00 api99"), svyratio(~api00, ~api99, des))
  out(paste("clus1", nm, "weights"), weights(des)[1:5])
}
reps <- list(JK1 = as.svrepdesign(clus1, type="JK1"), JKn = as.svrepdesign(strat, type="JKn"))
set.seed(1); boot <- as.svrepdesign(clus1, type="bootstrap", replicates=40)
fay <- svrepdesign(data=apistrat, repweights=as.matrix(weights(as.svrepdesign(strat, type="JKn"), "analysis"))/apistrat$pw, weights=~pw, type="Fay", rho=0.3, combined.weights=FALSE)
paired <- svydesign(id=~pair, strata=~stype, weights=~pw, data=transform(apistrat, pair=paste(stype, snum %% 2)))
brr <- as.svrepdesign(paired, type="BRR")
given <- list(JK1 = reps$JK1, JKn = reps$JKn, bootstrap = boot, Fay = fay, BRR = brr)
for (nm in names(given)) {
  des <- given[[nm]]
  rw <- weights(des, "analysis"); write.csv(rw, sprintf("tests/data/api_repweights_%s.csv", nm), row.names=FALSE)
  out(paste("rep", nm, "scale df rscales"), c(des$scale, degf(des), des$rscales))
  m <- svymean(~api00, des); show(paste("rep", nm, "mean api00"), m)
  t <- svytotal(~enroll, des, na.rm=TRUE); show(paste("rep", nm, "total enroll"), t)
  s <- svymean(~sch.wide, des); show(paste("rep", nm, "share sch.wide"), s)
  b <- svyby(~api00, ~stype, des, svymean); out(paste("rep", nm, "by stype mean api00"), c(coef(b), SE(b)))
  show(paste("rep", nm, "ratio api00 api99"), svyratio(~api00, ~api99, des))
  b <- svyby(~api00, ~awards, des, svymean, covmat=TRUE); cc <- svycontrast(b, c(Yes=1, No=-1)); out(paste("rep", nm, "contrast awards mean api00"), c(coef(cc), SE(cc)))
  q <- svyquantile(~api00, des, c(0.25, 0.5)); out(paste("rep", nm, "quantile api00"), q$api00)
}
# ---- design effects of ratios (svyratio(deff = TRUE)) ----
for (nm in c("strat_fpc", "clus1_fpc", "clus2_fpc")) {
  des <- designs[[nm]]
  out(paste(nm, "ratio api00 api99 deff"), deff(svyratio(~api00, ~api99, des, deff=TRUE)))
  r <- svyby(~api00, ~awards, des, svyratio, denominator=~api99, deff=TRUE); out(paste(nm, "by awards ratio api00 api99 deff"), deff(r))
}
for (nm in names(calibrated)) out(paste("clus1", nm, "ratio api00 api99 deff"), deff(svyratio(~api00, ~api99, calibrated[[nm]], deff=TRUE)))
# ---- calibrated replicate designs (postStratify.svyrep.design, rake, calibrate.svyrep.design) ----
jk <- reps$JK1
repcal <- list(
  post = postStratify(jk, ~stype, pop.types),
  rake = rake(jk, list(~stype, ~sch.wide), list(pop.types, pop.schwide)),
  greg = calibrate(jk, ~stype + api99, c(`(Intercept)`=6194, stypeH=755, stypeM=1018, api99=3914069)))
for (nm in names(repcal)) {
  des <- repcal[[nm]]
  out(paste("repcal", nm, "weights"), c(weights(des, "sampling")[1:5], weights(des, "analysis")[1:3, 1:2]))
  out(paste("repcal", nm, "df"), degf(des))
  show(paste("repcal", nm, "mean api00"), svymean(~api00, des))
  show(paste("repcal", nm, "total enroll"), svytotal(~enroll, des, na.rm=TRUE))
  show(paste("repcal", nm, "share sch.wide"), svymean(~sch.wide, des))
  b <- svyby(~api00, ~awards, des, svymean); out(paste("repcal", nm, "by awards mean api00"), c(coef(b), SE(b)))
  show(paste("repcal", nm, "ratio api00 api99"), svyratio(~api00, ~api99, des))
}
# ---- BRR and Fay from a Taylor design (as.svrepdesign(type = "BRR" / "Fay")) ----
fay_t <- as.svrepdesign(paired, type="Fay", fay.rho=0.3)
for (nm in c("BRR", "Fay")) {
  des <- if (nm == "BRR") brr else fay_t
  out(paste("taylor", nm, "scale df"), c(des$scale, degf(des), ncol(des$repweights$weights)))
  show(paste("taylor", nm, "mean api00"), svymean(~api00, des))
  show(paste("taylor", nm, "ratio api00 api99"), svyratio(~api00, ~api99, des))
  b <- svyby(~api00, ~stype, des, svymean); out(paste("taylor", nm, "by stype mean api00"), c(coef(b), SE(b)))
}
# BRR on 13 strata (R's 16 x 16 matrix): pairs of schools within 13 groups of apistrat
apistrat$g13 <- (rank(apistrat$snum, ties.method="first") - 1) %% 13
apistrat$pair13 <- paste(apistrat$g13, (rank(apistrat$snum, ties.method="first") - 1) %/% 13 %% 2)
brr13 <- as.svrepdesign(svydesign(id=~pair13, strata=~g13, weights=~pw, data=apistrat), type="BRR")
out("taylor BRR13 scale df", c(brr13$scale, degf(brr13), ncol(brr13$repweights$weights)))
show("taylor BRR13 mean api00", svymean(~api00, brr13))
