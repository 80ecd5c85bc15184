# R's fit of strong.csv: a genuine logistic model so strong that R warns "fitted probabilities
# numerically 0 or 1 occurred", yet converges to a finite maximum (10 iterations).  The trainer
# must fit it (not call it separation) and match R (test fit::strong_model_is_not_separation).
# strong.csv: 400 rows from a known model, Python random.Random(0) (tests/bench/risk style).
#   cd plugins/risk-scorer/trainer/tests/data && Rscript strong-reference.R
d <- read.csv("strong.csv")
fit <- glm(y ~ ., family = binomial, data = d)
s <- summary(fit)$coefficients
g17 <- function(x) sprintf("%.17g", x)
out <- file("strong-reference.tsv", "w")
writeLines(c("# glm(y ~ ., family = binomial, data = read.csv(\"strong.csv\"))",
             sprintf("# %s", R.version.string), "term\testimate\tstd_error\tz\tp"), out)
for (i in seq_len(nrow(s))) {
  term <- if (rownames(s)[i] == "(Intercept)") "intercept" else rownames(s)[i]
  writeLines(paste(term, g17(s[i, 1]), g17(s[i, 2]), g17(s[i, 3]), g17(s[i, 4]), sep = "\t"), out)
}
writeLines(paste("#iterations", fit$iter, sep = "\t"), out)
writeLines(paste("#deviance", g17(fit$deviance), sep = "\t"), out)
close(out)
