# R's reference fit of the Pima Indians Diabetes data, the numbers medverse-train must match
# (tests: plugins/risk-scorer/trainer/tests/test-trainer.c, suite `risk`).
#
# Run from this directory (Debian 12: apt-get install r-base-core r-cran-mlbench):
#   Rscript reference.R
# Writes pima.csv (the data set, as committed) and reference.tsv (every coefficient with its
# standard error, z and p, then the fit's iterations, deviances, AIC, apparent AUC and Brier
# score), all to 17 digits.
library(mlbench)
data(PimaIndiansDiabetes)
write.csv(PimaIndiansDiabetes, "pima.csv", row.names = FALSE, quote = FALSE)

# the fit is done on the CSV as read back, so R and the trainer see the same numbers
pima <- read.csv("pima.csv", stringsAsFactors = TRUE)
fit <- glm(diabetes ~ ., family = binomial, data = pima)
s <- summary(fit)$coefficients

g17 <- function(x) sprintf("%.17g", x)
y <- pima$diabetes == "pos"
r <- rank(fitted(fit))
auc <- (sum(r[y]) - sum(y) * (sum(y) + 1) / 2) / (sum(y) * sum(!y))
out <- file("reference.tsv", "w")
writeLines(c(
  "# glm(diabetes ~ ., family = binomial, data = read.csv(\"pima.csv\", stringsAsFactors = TRUE))",
  sprintf("# %s, mlbench %s", R.version.string, packageVersion("mlbench")),
  "term\testimate\tstd_error\tz\tp"), out)
for (i in seq_len(nrow(s))) {
  term <- if (rownames(s)[i] == "(Intercept)") "intercept" else rownames(s)[i]
  writeLines(paste(term, g17(s[i, 1]), g17(s[i, 2]), g17(s[i, 3]), g17(s[i, 4]), sep = "\t"), out)
}
writeLines(c(
  paste("#iterations", fit$iter, sep = "\t"),
  paste("#deviance", g17(fit$deviance), sep = "\t"),
  paste("#null_deviance", g17(fit$null.deviance), sep = "\t"),
  paste("#aic", g17(fit$aic), sep = "\t"),
  # apparent AUC (Mann-Whitney from the ranks, ties as mid-ranks) and Brier score
  paste("#auc", g17(auc), sep = "\t"),
  paste("#brier", g17(mean((fitted(fit) - y)^2)), sep = "\t"),
  paste("#rows", nrow(pima), sep = "\t"),
  paste("#events", sum(pima$diabetes == "pos"), sep = "\t")), out)
close(out)
