-- memwalk: touch a working set of pages repeatedly: TLB pressure, and the cost of a
-- TLB miss under each MMU technique (2 references natively, up to 14 nested).
return {
  description = "walk a working set of pages: TLB misses and page-walk cost",
  program = "memwalk",
  args = { pages = 1024, stride = 1, passes = 10 },
  derived = {
    -- page-walk cycles per access: the cost of TLB misses under each MMU technique
    walk_cycles_per_op = function(m) return m.mem / m.ops end,
  },
}
