---A small describe/it runner for `nvim --headless -l`: no plenary or busted needed.

local M = { passed = 0, failures = {} }
local prefix = {}

---@param name string
---@param body fun()
function M.describe(name, body)
  table.insert(prefix, name)
  body()
  table.remove(prefix)
end

---@param name string
---@param body fun()
function M.it(name, body)
  local full = table.concat(prefix, " ") .. " " .. name
  local ok, err = xpcall(body, debug.traceback)
  if ok then
    M.passed = M.passed + 1
  else
    table.insert(M.failures, full .. "\n" .. tostring(err))
  end
end

---Fails with both values shown when `actual` differs from `expected` (deep comparison).
---@param expected any
---@param actual any
function M.eq(expected, actual)
  if not vim.deep_equal(expected, actual) then
    error(("expected %s, got %s"):format(vim.inspect(expected), vim.inspect(actual)), 2)
  end
end

---Prints the outcome and exits non-zero when any case failed.
function M.finish()
  for _, failure in ipairs(M.failures) do
    io.stderr:write("FAIL " .. failure .. "\n")
  end
  io.stdout:write(("%d passed, %d failed\n"):format(M.passed, #M.failures))
  os.exit(#M.failures == 0 and 0 or 1)
end

return M
