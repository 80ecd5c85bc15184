# R's side of the scoring benchmark (tests/bench/risk/run.sh): the same model's probability on
# the same input sets (gen-score-inputs.py), written out in R with the model file's
# coefficients, timed three ways:
#   loop     one call of the scoring function a set (the "single" comparison),
#   vec100   the vectorised function on 100 sets a call, vec1000 on 1000 (the batch sizes),
#   vecall   on every set at once.
# The inputs are parsed into vectors before timing (as the C side builds its GVariants first);
# unit conversion and defaults are inside the timed code on both sides.  Each way is checked
# against Medverse's probabilities (PROBS, one a line): the largest difference is printed.
#   Rscript bench-score.R KIND INPUTS.csv PROBS REPS
# prints: "loop <scores/s> vec100 <scores/s> vec1000 <scores/s> vecall <scores/s> max_diff <d>"
args <- commandArgs(trailingOnly = TRUE)
kind <- args[1]; inputs <- args[2]; probs <- args[3]; reps <- as.integer(args[4])

# "5.51 mmol/L" -> value 5.51, unit "mmol/L"; "213" -> 213, ""
split_unit <- function(cell) {
  parts <- strsplit(cell, " ", fixed = TRUE)
  list(value = as.numeric(vapply(parts, `[`, "", 1)),
       unit = vapply(parts, function(p) if (length(p) > 1) p[2] else "", ""))
}
as_flag <- function(cell) ifelse(cell == "", NA, cell == "true")

# pce-2013-white-men.json (Goff 2013, Table A, white men): 1 - S10^exp(sum - mean sum)
pce_white_men <- function(age, tc, tc_unit, hdl, hdl_unit, sbp, treated, smoker, diabetes) {
  tc <- ifelse(tc_unit == "mmol/L", tc * 38.67, tc)
  hdl <- ifelse(hdl_unit == "mmol/L", hdl * 38.67, hdl)
  treated <- ifelse(is.na(treated), FALSE, treated)  # the file's default: untreated
  la <- log(age); ltc <- log(tc); lhdl <- log(hdl); lsbp <- log(sbp)
  current <- smoker == "current"
  # (!treated) in brackets: R's ! binds looser than + and would swallow the rest of the sum
  s <- 12.344 * la + 11.853 * ltc - 2.664 * la * ltc - 7.99 * lhdl + 1.769 * la * lhdl +
    1.797 * lsbp * treated + 1.764 * lsbp * (!treated) + 7.837 * current -
    1.795 * la * current + 0.658 * diabetes
  1 - 0.9144^exp(s - 61.18)
}

# framingham-offspring-diabetes-2007.json (Wilson 2007, simple clinical model): plogis
framingham_diabetes <- function(age, sex, parent, bmi, ebp, hdl, hdl_unit, tg, tg_unit,
                                glu, glu_unit) {
  hdl <- ifelse(hdl_unit == "mmol/L", hdl * 38.67, hdl)
  tg <- ifelse(tg_unit == "mmol/L", tg * 88.57, tg)
  glu <- ifelse(glu_unit == "mmol/L", glu * 18.016, glu)
  male <- sex == "male"
  z <- -5.517 - 0.018 * (age >= 50 & age < 65) - 0.081 * (age >= 65) - 0.01 * male +
    0.565 * parent + 0.301 * (bmi >= 25 & bmi < 30) + 0.92 * (bmi >= 30) + 0.498 * ebp +
    0.944 * (hdl < 40 & male) + 0.944 * (hdl < 50 & !male) + 0.575 * (tg >= 150) +
    1.98 * (glu >= 100 & glu < 126)
  plogis(z)
}

d <- read.csv(inputs, colClasses = "character")
if (kind == "pce") {
  tc <- split_unit(d$total_cholesterol); hdl <- split_unit(d$hdl_cholesterol)
  f <- pce_white_men
  cols <- list(age = as.numeric(d$age), tc = tc$value, tc_unit = tc$unit, hdl = hdl$value,
               hdl_unit = hdl$unit, sbp = as.numeric(d$systolic_bp),
               treated = as_flag(d$on_bp_treatment), smoker = d$smoker,
               diabetes = as_flag(d$diabetes))
} else {
  hdl <- split_unit(d$hdl_cholesterol); tg <- split_unit(d$triglycerides)
  glu <- split_unit(d$fasting_glucose)
  f <- framingham_diabetes
  cols <- list(age = as.numeric(d$age), sex = d$sex, parent = as_flag(d$parental_diabetes),
               bmi = as.numeric(d$bmi), ebp = as_flag(d$elevated_bp), hdl = hdl$value,
               hdl_unit = hdl$unit, tg = tg$value, tg_unit = tg$unit, glu = glu$value,
               glu_unit = glu$unit)
}
n <- nrow(d)
chunks <- function(size) lapply(split(seq_len(n), ceiling(seq_len(n) / size)),
                                function(i) lapply(cols, `[`, i))
by100 <- chunks(100); by1000 <- chunks(1000)
rows <- lapply(seq_len(n), function(i) lapply(cols, `[[`, i))  # one set's arguments

ways <- list(
  loop = function() {
    p <- numeric(n)
    for (i in seq_len(n)) p[i] <- do.call(f, rows[[i]])
    p
  },
  vec100 = function() unlist(lapply(by100, function(a) do.call(f, a)), use.names = FALSE),
  vec1000 = function() unlist(lapply(by1000, function(a) do.call(f, a)), use.names = FALSE),
  vecall = function() do.call(f, cols)
)

# the CPU time (user + system) this process has used: not the clock, as the machine is shared
# (bench-score.c times its CPU time the same way)
cpu <- function() { t <- proc.time(); t[["user.self"]] + t[["sys.self"]] }

# scores a CPU second: the median of REPS samples, each whole passes lasting at least 0.2 s
rate <- function(way) {
  t0 <- cpu(); way()
  once <- max(cpu() - t0, 1e-3)
  passes <- if (once >= 0.2) 1 else ceiling(0.2 / once)
  samples <- vapply(seq_len(reps), function(r) {
    t0 <- cpu()
    for (k in seq_len(passes)) way()
    (cpu() - t0) / passes
  }, 0)
  n / median(samples)
}

medverse <- as.numeric(readLines(probs))
stopifnot(length(medverse) == n)
max_diff <- max(vapply(ways, function(way) max(abs(way() - medverse)), 0))
rates <- vapply(ways, rate, 0)
cat(sprintf("%s %.0f ", names(rates), rates), sprintf("max_diff %.3g\n", max_diff), sep = "")
