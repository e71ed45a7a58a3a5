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
