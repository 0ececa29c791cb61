# Reference fits of the binomial random-intercept GLMM with lme4::glmer.
#
# Usage:
#   Rscript scripts/lme4_reference.R <cells.csv> <spec.json> <out.json> [tight]
#
# cells.csv has one row per cell: y (successes), n (trials), the design columns
# (intercept included), one column per grouping factor and optionally `offset`.
# spec.json names them: {"design": [...], "groups": [...], "offset": true|false}.
# The model is
#   cbind(y, n - y) ~ 0 + <design> + offset(offset) + (1 | g1) + ... + (1 | gK)
# fitted with glmer's defaults (Laplace, nAGQ = 1; stage 1 bobyqa at nAGQ = 0,
# stage 2 Nelder-Mead). The checks that forbid an observation-level random
# effect are switched off: with n > 1 trials per cell it is identified.
#
# out.json holds, under "default", the fit with glmer's default control and, if
# the fourth argument is "tight", under "tight" a refit with PIRLS converged to
# tolPwrss = 1e-13 and a stricter Nelder-Mead: glmer's default PIRLS stops at a
# relative change of 1e-7 in the penalised deviance, which moves the Laplace
# deviance by up to ~1e-3 and vcov() (a finite-difference Hessian of it) by
# ~0.5%; the tight fit is the exact Laplace optimum to compare with closely.
# Each fit records fixed effects, vcov() (and vcov(use.hessian = FALSE)), theta,
# variance components, logLik, deviance(), AIC, BIC, conditional modes with
# conditional SDs (ranef(condVar = TRUE)), fitted probabilities with and without
# random effects, isSingular(), warnings and messages, and the fit time.
#
# Regenerate the committed references in tests/model/reference/ with
#   .venv/bin/python tests/model/test_glmm_vs_lme4.py --regenerate

suppressPackageStartupMessages({
  library(lme4)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = TRUE)
if (!length(args) %in% c(3, 4)) {
  stop("usage: lme4_reference.R <cells.csv> <spec.json> <out.json> [tight]")
}
cells <- read.csv(args[[1]])
spec <- fromJSON(args[[2]])
tight <- length(args) == 4 && args[[4]] == "tight"

for (g in spec$groups) cells[[g]] <- factor(cells[[g]])
rhs <- c("0", spec$design)
if (isTRUE(spec$offset)) rhs <- c(rhs, "offset(offset)")
rhs <- c(rhs, sprintf("(1 | %s)", spec$groups))
form <- as.formula(paste("cbind(y, n - y) ~", paste(rhs, collapse = " + ")))

checks <- list(
  check.nobs.vs.nlev = "ignore",
  check.nobs.vs.rankZ = "ignore",
  check.nobs.vs.nRE = "ignore"
)

fit_and_summarise <- function(ctrl) {
  notes <- character(0)
  elapsed <- system.time(
    fit <- withCallingHandlers(
      glmer(form, data = cells, family = binomial, control = ctrl),
      warning = function(w) {
        notes <<- c(notes, paste("warning:", conditionMessage(w)))
        invokeRestart("muffleWarning")
      },
      message = function(m) {
        notes <<- c(notes, paste("message:", trimws(conditionMessage(m))))
        invokeRestart("muffleMessage")
      }
    )
  )[["elapsed"]]
  re <- ranef(fit, condVar = TRUE)
  ranef_out <- list()
  for (g in names(re)) {
    ranef_out[[g]] <- list(
      levels = rownames(re[[g]]),
      mode = re[[g]][, 1],
      cond_sd = sqrt(as.numeric(attr(re[[g]], "postVar")))
    )
  }
  vc <- as.data.frame(VarCorr(fit))
  theta <- getME(fit, "theta")
  names(theta) <- sub("\\.\\(Intercept\\)$", "", names(theta))
  ll <- logLik(fit)
  list(
    fixef = as.list(fixef(fit)),
    vcov = unname(as.matrix(vcov(fit))),
    vcov_rx = unname(as.matrix(suppressWarnings(vcov(fit, use.hessian = FALSE)))),
    theta = as.list(theta),
    varcomp = as.list(setNames(vc$vcov, vc$grp)),
    logLik = as.numeric(ll),
    df = attr(ll, "df"),
    deviance = deviance(fit),
    AIC = AIC(fit),
    BIC = BIC(fit),
    ranef = ranef_out,
    fitted = as.numeric(fitted(fit)),
    fitted_fixed = as.numeric(predict(fit, re.form = NA, type = "response")),
    is_singular = isSingular(fit),
    notes = notes,
    fit_seconds = elapsed
  )
}

out <- list(
  lme4_version = as.character(packageVersion("lme4")),
  formula = paste(deparse(form, width.cutoff = 500L), collapse = ""),
  default = fit_and_summarise(do.call(glmerControl, checks))
)
if (tight) {
  ctrl <- do.call(glmerControl, c(checks, list(
    tolPwrss = 1e-13,
    optimizer = c("bobyqa", "Nelder_Mead"),
    optCtrl = list(FtolAbs = 1e-12, FtolRel = 1e-15, XtolRel = 1e-12, maxfun = 1e5)
  )))
  out$tight <- suppressWarnings(fit_and_summarise(ctrl))
}
write_json(out, args[[3]], digits = NA, auto_unbox = TRUE, pretty = TRUE)
