# R's side of the trainer benchmark (tests/bench/risk/run.sh): read.csv, then
# glm(OUTCOME ~ ., family = binomial) with summary() (its standard errors), each timed
# separately inside R (no start-up), the median of REPS runs.
#   Rscript bench-glm.R FILE OUTCOME POSITIVE REPS
# prints: "read_s <median> fit_s <median> iterations <n>"
args <- commandArgs(trailingOnly = TRUE)
file <- args[1]; outcome <- args[2]; positive <- args[3]; reps <- as.integer(args[4])
read_s <- numeric(reps); fit_s <- numeric(reps)
for (r in seq_len(reps)) {
  t0 <- proc.time()[["elapsed"]]
  d <- read.csv(file)
  d[[outcome]] <- as.integer(as.character(d[[outcome]]) == positive)
  t1 <- proc.time()[["elapsed"]]
  fit <- glm(as.formula(paste(outcome, "~ .")), family = binomial, data = d)
  s <- summary(fit)$coefficients
  t2 <- proc.time()[["elapsed"]]
  read_s[r] <- t1 - t0; fit_s[r] <- t2 - t1
}
cat(sprintf("read_s %.6f fit_s %.6f iterations %d\n", median(read_s), median(fit_s), fit$iter))
