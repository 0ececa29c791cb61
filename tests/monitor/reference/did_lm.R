# Reference numbers for the pilot evaluation from base R (fixest is not packaged for
# Debian): the TWFE coefficient from lm() with unit and year factors, its CRV1 standard
# error with fixest's small-sample correction (unit effects nested in the clusters are
# not counted: K = years + 1), and the imputation ATT (fit unit and year effects on
# untreated rows, predict the treated ones).
# Usage: Rscript did_lm.R panel.csv out.json   (columns region_code, year, y, treat)
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], colClasses = c(region_code = "character"))
d$unit <- factor(d$region_code)
d$yr <- factor(d$year)
fit <- lm(y ~ treat + unit + yr, data = d)
beta <- unname(coef(fit)["treat"])
# CRV1 via Frisch-Waugh-Lovell: residualise treat on the fixed effects.
dt <- resid(lm(treat ~ unit + yr, data = d))
e <- resid(fit)
scores <- tapply(dt * e, d$unit, sum)
G <- nlevels(d$unit)
N <- nrow(d)
K <- nlevels(d$yr) + 1
se <- sqrt(G / (G - 1) * (N - 1) / (N - K) * sum(scores^2)) / sum(dt^2)
untreated <- d$treat == 0
fe <- lm(y ~ unit + yr, data = d[untreated, ])
treated <- d[!untreated, ]
att <- mean(treated$y - predict(fe, newdata = treated))
jsonlite::write_json(
  list(twfe = beta, twfe_se_crv1 = se, att = att, n = N),
  args[2], digits = NA
)
