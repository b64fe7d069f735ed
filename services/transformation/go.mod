module ameide.io/services/transformation

go 1.19
