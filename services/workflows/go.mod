module ameide.io/services/workflows

go 1.19
