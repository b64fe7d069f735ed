module ameide.io/services/workflows-runtime

go 1.19
